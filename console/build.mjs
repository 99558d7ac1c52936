// Bundles the console into console/dist: index.html + assets/app.js, app.css (served by Keyward
// at / and /console/assets/), and elements.js (served at /elements.js: the key page as
// <keyward-api-keys> for products' pages, built from the same source). Runs at `npm install`
// (postinstall) and with `--watch` from `npm run dev`.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const watch = process.argv.includes("--watch");

// No inline script or style: the console's Content-Security-Policy forbids both.
const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <meta name="referrer" content="no-referrer">
    <title>Keyward</title>
    <link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/console/assets/app.css">
    <script type="module" src="/console/assets/app.js"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>The Keyward console needs JavaScript.</noscript>
  </body>
</html>
`;

const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b5bdb"/><circle cx="12" cy="16" r="5" fill="none" stroke="#fff" stroke-width="3"/><path d="M17 16h10m-3 0v4" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>
`;

/** In watch mode the page polls this file and reloads when a new build lands (see src/devReload.ts). */
const buildStamp = {
  name: "build-stamp",
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0 && watch) await writeFile(join(dist, "assets", "build.json"), JSON.stringify({ at: Date.now() }));
      if (watch) console.log(`console: built${result.errors.length ? ` with ${result.errors.length} errors` : ""}`);
    });
  },
};

/** @type {import("esbuild").BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { app: "src/main.tsx" },
  outdir: join(dist, "assets"),
  entryNames: "[name]",
  assetNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome111", "firefox111", "safari16.4"],
  jsx: "automatic",
  jsxImportSource: "preact",
  // The console uses the SDK's source exactly as integrators use the published package.
  alias: { "@keyward/sdk": join(root, "..", "sdk", "src", "index.ts") },
  define: { "process.env.NODE_ENV": JSON.stringify(watch ? "development" : "production"), KEYWARD_DEV: String(watch) },
  minify: !watch,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: watch ? "info" : "warning",
  plugins: [buildStamp],
};

/**
 * The embedded element: the same components and SDK, one self-contained ES module. Its styles go
 * into its shadow root, so the stylesheet is imported as text; no source map or legal-comments
 * file beside it (it is one URL a product's page loads).
 */
/** @type {import("esbuild").BuildOptions} */
const elements = {
  ...options,
  entryPoints: { elements: "src/elements.tsx" },
  outdir: dist,
  loader: { ".css": "text" },
  sourcemap: false,
  legalComments: "eof",
};

await mkdir(join(dist, "assets"), { recursive: true });
await writeFile(join(dist, "index.html"), html);
await writeFile(join(dist, "assets", "favicon.svg"), favicon);
if (watch) {
  for (const build of [options, elements]) await (await esbuild.context(build)).watch();
} else {
  await Promise.all([esbuild.build(options), esbuild.build(elements)]);
}
