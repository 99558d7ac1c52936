import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build:console` (run by `npm install`) writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL("../../console/dist/", import.meta.url));
export const ASSETS_PREFIX = "/console/assets/";

/** The console's pages: each is the same document, which routes in the browser. */
const PAGES = /^\/(?:|signin|join|members|audit|keys\/[A-Za-z0-9_-]{1,64})$/;
const ASSET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
};

/**
 * What every console response carries: scripts, styles and connections from Keyward itself
 * only (no inline script can run, whatever a page shows), never framed, no Referer (a join
 * link's fragment never leaves anyway; other URLs need not either).
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
};

/** The key page as a custom element (`<keyward-api-keys>`), for products' own pages. */
export const ELEMENTS_PATH = "/elements.js";

/**
 * What `/elements.js` carries: it is loaded by pages of other origins as a module script, which
 * needs CORS (any origin may load it: it holds no data; what it may do comes from the token the
 * product puts on the element), and a cross-origin resource policy that lets it through.
 */
export const ELEMENTS_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/javascript; charset=utf-8",
  "access-control-allow-origin": "*",
  "cross-origin-resource-policy": "cross-origin",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

export const isConsolePage = (pathname: string) => PAGES.test(pathname);
export const isConsoleAsset = (pathname: string) => pathname.startsWith(ASSETS_PREFIX);
/** Whether `consoleFile` answers this path: a page, a file of the console, or the embeddable element. */
export const isConsoleFile = (pathname: string) => isConsolePage(pathname) || isConsoleAsset(pathname) || pathname === ELEMENTS_PATH;

/** Files are read once and kept: the console is a few hundred kilobytes. */
const files = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();

function cached(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  let file = files.get(path);
  if (!file) {
    file = readFile(path).then(
      (bytes) => new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer),
      () => null,
    );
    // A missing build may appear later (`npm run build:console` while running): look again next time.
    void file.then((bytes) => bytes === null && files.delete(path));
    files.set(path, file);
  }
  return file;
}

/** A console page or asset (GET/HEAD), or `null` when `pathname` names neither. */
export async function consoleFile(pathname: string, method: string, dist = CONSOLE_DIST): Promise<Response | null> {
  if (pathname === ELEMENTS_PATH) return elementsFile(method, dist);
  let path: string;
  if (isConsolePage(pathname)) path = join(dist, "index.html");
  else if (isConsoleAsset(pathname) && ASSET.test(pathname.slice(ASSETS_PREFIX.length))) path = join(dist, "assets", pathname.slice(ASSETS_PREFIX.length));
  else if (isConsoleAsset(pathname)) return new Response(null, { status: 404, headers: CONSOLE_HEADERS });
  else return null;
  if (method !== "GET" && method !== "HEAD") return new Response(null, { status: 405, headers: { ...CONSOLE_HEADERS, allow: "GET, HEAD" } });
  const bytes = await cached(path);
  if (!bytes) {
    if (isConsoleAsset(pathname)) return new Response(null, { status: 404, headers: CONSOLE_HEADERS });
    return new Response("The console is not built: run npm run build:console.\n", {
      status: 503,
      headers: { ...CONSOLE_HEADERS, "content-type": "text/plain; charset=utf-8" },
    });
  }
  return new Response(method === "HEAD" ? null : bytes, {
    status: 200,
    headers: { ...CONSOLE_HEADERS, "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-cache" },
  });
}

async function elementsFile(method: string, dist: string): Promise<Response> {
  if (method !== "GET" && method !== "HEAD") return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
  const bytes = await cached(join(dist, "elements.js"));
  if (!bytes) return new Response("// The console is not built: run npm run build:console.\n", { status: 503, headers: ELEMENTS_HEADERS });
  return new Response(method === "HEAD" ? null : bytes, { status: 200, headers: ELEMENTS_HEADERS });
}
