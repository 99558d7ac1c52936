import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { platformScopes } from "../server/auth/platformScopes.ts";
import { gql, mutation } from "./helpers/http.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { settled, firstInstance } from "./helpers/instances.ts";

const root = join(import.meta.dirname, "..");
const exec = promisify(execFile);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function keyward(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(root, "bin", "keyward.mjs"), ...args], { cwd: root, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The worker's database on PostgreSQL (so the running server sees what the command did); a fresh embedded one otherwise. */
async function database(): Promise<Record<string, string>> {
  if (process.env.DATABASE_URL) return {};
  const dir = await mkdtemp(join(tmpdir(), "keyward-cli-platform-"));
  dirs.push(dir);
  return { KEYWARD_DATA_DIR: join(dir, "data"), DATABASE_URL: "" };
}

describe("keyward platform-keys", () => {
  it("is in the help, and refuses wrong usage with exit code 2 before opening the database", async () => {
    const help = await keyward(["--help"], {});
    for (const command of ["platform-keys create", "platform-keys list"]) expect(help.stdout).toContain(`keyward ${command}`);
    const env = await database();
    const cases = [["platform-keys"], ["platform-keys", "create"], ["platform-keys", "revoke"], ["platform-keys", "create", "--name", "x", "--scopes", "keys_read"]];
    const results = await Promise.all(cases.map((args) => keyward(args, env)));
    results.forEach((result, i) => expect({ code: result.code, lines: result.stderr.trim().split("\n").length }, cases[i]!.join(" ")).toEqual({ code: 2, lines: 1 }));
    expect(results[3]!.stderr).toContain(platformScopes.map((s) => s.toLowerCase()).join(", "));
  }, 90_000);

  it("creates (printing the key once), lists and revokes platform keys", async () => {
    const env = await database();
    const created = await keyward(["platform-keys", "create", "--name", "product backend", "--scopes", "platform_verify,platform_read", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const { platformKey, secret } = JSON.parse(created.stdout);
    expect(platformKey).toMatchObject({ name: "product backend", status: "ENABLED", scopes: ["PLATFORM_VERIFY", "PLATFORM_READ"] });
    expect(secret).toMatch(/^kw_live_\w{51}$/);

    const text = await keyward(["platform-keys", "list"], env);
    expect(text.stdout).toContain(platformKey.id);
    expect(text.stdout).not.toContain(secret);

    if (process.env.DATABASE_URL) {
      // The running server accepts the new key, then refuses it from the revocation on.
      const org = await seedOrganization();
      const verify = () => gql(mutation("verifyApiKey", "{ valid }"), { key: secret, variables: { i: { key: org.adminKey } } });
      expect((await verify()).data?.verifyApiKey.valid).toBe(true);
      const revoked = await keyward(["platform-keys", "revoke", platformKey.id, "--json"], env);
      expect(JSON.parse(revoked.stdout).status).toBe("REVOKED");
      await settled([await firstInstance()]);
      const refused = await verify();
      expect([refused.status, refused.code]).toEqual([403, "API_KEY_REVOKED"]);
    } else {
      const revoked = await keyward(["platform-keys", "revoke", platformKey.id, "--json"], env);
      expect(JSON.parse(revoked.stdout).status).toBe("REVOKED");
    }
    const missing = await keyward(["platform-keys", "revoke", "nonexistent1"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NOT_FOUND");
  }, 120_000);
});
