// Runs `prisma generate` on machines without Prisma's native schema engine.
// Generation does not use the engine, but the CLI insists that one exists: on an
// offline or air-gapped install (no engine downloaded) point it at any file.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, resolve } from "node:path";

const require = createRequire(import.meta.url);
const bin = resolve("node_modules/.bin");
const env = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasDownloadedEngine()) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);

function hasDownloadedEngine() {
  try {
    const dir = dirname(require.resolve("@prisma/engines/package.json"));
    return readdirSync(dir).some((name) => name.startsWith("schema-engine"));
  } catch {
    return existsSync("node_modules/.prisma/schema-engine");
  }
}
