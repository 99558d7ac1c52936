#!/usr/bin/env node
// The `keyward` command: the compiled server and command in dist/server/ (built at `npm install`
// and by `npm run build`; see scripts/build.mjs). A checkout that was never built runs the
// TypeScript sources through tsx instead, and says so.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/server/cli.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write("keyward: dist/server/ is not built (npm run build); running the TypeScript sources through tsx.\n");
  const { register } = await import("tsx/esm/api");
  register();
  await import("../server/cli/program.ts");
}
