// Compiles the server and the `keyward` command to JavaScript in dist/server/ (run at `npm install`,
// by `npm run build`, before `npm run bench`, and by the tests' global setup), so `npm start` and
// `keyward` run without compiling TypeScript at start. One esbuild bundle with code splitting:
// `keyward --help` loads the command's own chunk only; `start` loads the server's chunk on demand.
// Dependencies are bundled too, except the few listed in EXTERNAL, with one single `graphql`.
//
// The output lives two directories below the project root (dist/server/), as the sources do
// (server/<room>/): files that find prisma/migrations, sdk/operations and console/dist relative
// to `import.meta.dirname` (`../..`) find them from there too.
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "server");

const EXTERNAL = ["@prisma/client", "@prisma/client/*", "@electric-sql/pglite", "@electric-sql/pglite/*", "pglite-prisma-adapter", "pino", "esbuild", "tsx", "tsx/*", "prisma"];

const started = performance.now();
await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: "server/cli/program.ts" },
  outdir,
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies are bundled too (resolving and linking hundreds of modules was most of the start),
  // except those that load files of their own beside them (WASM, workers) or are tools.
  external: EXTERNAL,
  // ESM builds first (graphql's .mjs among them): a CommonJS module bundled into ESM is reached
  // through esbuild's interop getters on every property access (~2 % of a request's CPU).
  mainFields: ["module", "main"],
  // …and one graphql: a subpath import without an extension would otherwise bring its CommonJS
  // copy beside the ESM one (two GraphQLError classes). The check below keeps it that way.
  alias: { "graphql/language/parser": "graphql/language/parser.mjs" },
  metafile: true,
  // Bundled CommonJS modules require Node's built-ins.
  banner: { js: 'import { createRequire as __keywardRequire } from "node:module"; const require = __keywardRequire(import.meta.url);' },
  sourcemap: "linked",
  logLevel: "warning",
});
const graphqlFiles = Object.keys(result.metafile.inputs).filter((file) => file.startsWith("node_modules/graphql/"));
const commonJs = graphqlFiles.filter((file) => !file.endsWith(".mjs"));
if (commonJs.length > 0) throw new Error(`graphql bundled twice (ESM and CommonJS): ${commonJs.join(", ")} — alias these to their .mjs files`);
if (!process.argv.includes("--quiet")) console.log(`server: built dist/server/ in ${Math.round(performance.now() - started)} ms`);
