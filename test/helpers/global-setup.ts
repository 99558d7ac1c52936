import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../server/db.ts";
import { migrate } from "../../server/infra/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated PGlite data directory (tarball) that every worker starts from, skipping initdb. */
    pgliteSnapshot: string;
  }
}

/**
 * One migrated database for the whole run. On PostgreSQL (`DATABASE_URL`): migrate it once.
 * On PGlite: initdb + migrate once, dump it, and let each worker load the dump (~0.4 s instead of 3–4 s).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  // Tests that spawn Keyward or the `keyward` command run the compiled build, as users do: build it
  // from the sources under test (~0.3 s), so it is never stale.
  execFileSync(process.execPath, [join(import.meta.dirname, "..", "..", "scripts", "build.mjs"), "--quiet"], { stdio: "inherit" });
  if (process.env.DATABASE_URL) {
    const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
    await db.close();
    project.provide("pgliteSnapshot", "");
    return;
  }
  const pglite = new PGlite();
  await migrate({
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  });
  const dump = await pglite.dumpDataDir("none");
  await pglite.close();
  const dir = await mkdtemp(join(tmpdir(), "keyward-test-"));
  const file = join(dir, "pglite.tar");
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteSnapshot", file);
  return () => rm(dir, { recursive: true, force: true });
}
