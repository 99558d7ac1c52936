import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";

const root = join(import.meta.dirname, "..");
const exec = promisify(execFile);

/** Runs the `keyward` command as a user would; resolves with its exit code and output. */
async function keyward(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(root, "bin", "keyward.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let server: Server;
let url: string;
const dirs: string[] = [];
beforeAll(async () => {
  const served = await listen((await testServer()).yoga);
  server = served.server;
  url = `${served.origin}/graphql`;
});
afterAll(async () => {
  server.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("keyward (the command)", () => {
  it("explains itself, and refuses wrong usage with exit code 2", async () => {
    const help = await keyward(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["start", "migrate", "init", "keys create", "keys list", "keys rotate", "keys revoke"]) {
      expect(help.stdout).toContain(`keyward ${command}`);
    }
    expect((await keyward(["frobnicate"])).code).toBe(2);
    expect((await keyward(["init", "--org", "only a name"])).code).toBe(2);
    expect((await keyward(["keys", "create", "--name", "x"], { KEYWARD_KEY: "" })).code).toBe(2);
    const badConfig = await keyward(["migrate"], { PORT: "nope" });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/PORT/);
  }, 90_000);

  it.runIf(!process.env.DATABASE_URL)("migrate and init work on an embedded database; init prints the admin key once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keyward-cli-"));
    dirs.push(dir);
    const env = { KEYWARD_DATA_DIR: join(dir, "data"), DATABASE_URL: "" };
    const migrated = await keyward(["migrate"], env);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/applied: \d+_init/);
    expect((await keyward(["migrate"], env)).stdout).toMatch(/up to date/);
    const init = await keyward(["init", "--org", "Ops", "--email", "ops@example.com"], env);
    expect(init.code).toBe(0);
    expect(init.stdout.match(/kw_live_\w{51}/g)).toHaveLength(1);
  }, 120_000);

  it("manages keys of a running Keyward through the SDK, with --json", async () => {
    const org = await seedOrganization("CLI");
    const env = { KEYWARD_URL: url, KEYWARD_KEY: org.adminKey };
    const created = await keyward(["keys", "create", "--name", "deploy bot", "--scopes", "keys_read,org_read", "--env", "test", "--json"], env);
    expect(created.code).toBe(0);
    const { apiKey, secret } = JSON.parse(created.stdout);
    expect(apiKey.scopes).toEqual(["KEYS_READ", "ORG_READ"]);
    expect(secret.startsWith("kw_test_")).toBe(true);

    const listed = JSON.parse((await keyward(["keys", "list", "--json"], env)).stdout) as Array<{ id: string }>;
    expect(listed.map((k) => k.id)).toContain(apiKey.id);
    const text = await keyward(["keys", "list"], env);
    expect(text.stdout).toContain(apiKey.id);
    expect(text.stdout).not.toContain(secret);

    const rotated = JSON.parse((await keyward(["keys", "rotate", apiKey.id, "--grace", "60", "--json"], env)).stdout);
    expect(rotated.apiKey.id).toBe(apiKey.id);
    expect(rotated.secret).not.toBe(secret);
    const revoked = JSON.parse((await keyward(["keys", "revoke", apiKey.id, "--json"], env)).stdout);
    expect(revoked.status).toBe("REVOKED");

    const refused = await keyward(["keys", "list", "--json"], { KEYWARD_URL: url, KEYWARD_KEY: rotated.secret });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe("API_KEY_REVOKED");
    const missing = await keyward(["keys", "revoke", "nonexistent"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NOT_FOUND");
  }, 120_000);
});
