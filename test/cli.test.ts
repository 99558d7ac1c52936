import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_GRACE_SECONDS } from "../server/domain/apiKeys.ts";
import { scopes } from "../server/auth/scopes.ts";
import { organizationKeyKinds } from "../server/auth/principal.ts";
import { ApiKeyEnvironment, ApiKeyStatus } from "../server/generated/prisma/enums.ts";
import { keyward, servedForCli } from "./helpers/cli.ts";
import { freePort } from "./helpers/process.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const live = servedForCli();
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("keyward (the command)", () => {
  it("explains itself, and refuses wrong usage with exit code 2", async () => {
    const help = await keyward(["--help"]);
    expect(help.code).toBe(0);
    for (const command of [
      "start", "migrate", "init", "recover", "keys create", "keys list", "keys rotate", "keys revoke", "keys disable", "keys enable",
      "keys rename", "keys delete", "keys verify", "whoami", "members list", "members invite", "members role", "members remove",
    ]) {
      expect(help.stdout).toContain(`keyward ${command}`);
    }
    expect((await keyward(["frobnicate"])).code).toBe(2);
    expect((await keyward(["init", "--org", "only a name"])).code).toBe(2);
    expect((await keyward(["keys", "create", "--name", "x"], { KEYWARD_KEY: "" })).code).toBe(2);
    const badConfig = await keyward(["migrate"], { PORT: "nope" });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/PORT/);
  }, 90_000);

  it("refuses values outside the server's own lists with exit code 2 and one line naming them, before any request", async () => {
    // Nothing listens there: a request would end in NETWORK_ERROR and exit code 1.
    const env = { KEYWARD_URL: `http://127.0.0.1:${await freePort()}/graphql`, KEYWARD_KEY: "kw_live_anything" };
    const cases: Array<[args: string[], named: readonly string[]]> = [
      [["keys", "create", "--name", "x", "--scopes", "keys_read,bogus"], scopes],
      [["keys", "create", "--name", "x", "--env", "prod"], Object.values(ApiKeyEnvironment)],
      [["keys", "create", "--name", "x", "--kind", "robot"], organizationKeyKinds],
      [["keys", "list", "--status", "gone"], Object.values(ApiKeyStatus)],
      [["keys", "rotate", "some-id", "--grace", String(MAX_GRACE_SECONDS + 1)], [String(MAX_GRACE_SECONDS)]],
      [["keys", "rotate", "some-id", "--grace=-1"], ["--grace"]],
      [["keys", "rotate", "some-id", "--grace", "-1"], ["--grace"]], // parseArgs's own three-line explanation
    ];
    const dir = await mkdtemp(join(tmpdir(), "keyward-cli-"));
    dirs.push(dir);
    const data = join(dir, "data");
    const [init, ...refused] = await Promise.all([
      keyward(["init", "--org", "Ops", "--email", "bad"], { KEYWARD_DATA_DIR: data, DATABASE_URL: "" }),
      ...cases.map(([args]) => keyward(args, env)),
    ]);
    refused.forEach((result, i) => {
      const [args, named] = cases[i]!;
      const lines = result.stderr.trim().split("\n");
      expect.soft({ code: result.code, lines: lines.length, names: named.filter((v) => !lines[0]!.includes(v.toLowerCase())) }, args.join(" ")).toEqual({
        code: 2,
        lines: 1,
        names: [],
      });
    });
    // A malformed email is wrong usage too, found before the database is opened (or created).
    expect.soft({ code: init.code, stderr: init.stderr, created: existsSync(data) }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/^keyward: --email[^\n]*\n$/),
      created: false,
    });
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

  it("init refuses an email that already has an account, as signUp does, and creates nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "keyward-cli-"));
    dirs.push(dir);
    const env: Record<string, string> = process.env.DATABASE_URL ? {} : { KEYWARD_DATA_DIR: join(dir, "data"), DATABASE_URL: "" };
    const email = `twice-${randomUUID()}@example.com`;
    const first = await keyward(["init", "--org", "First", "--email", email], env);
    expect(first.code, first.stderr).toBe(0);
    const slug = /\(([a-z0-9-]+)\)/.exec(first.stdout)?.[1];
    const second = await keyward(["init", "--org", "Second", "--email", ` ${email.toUpperCase()} `], env);
    expect({ code: second.code, key: /kw_live_/.test(second.stdout + second.stderr) }).toEqual({ code: 1, key: false });
    expect(second.stderr).toMatch(/\nkeyward: CONFLICT: [^\n]*\n$/);
    expect(second.stderr).toContain(email);
    expect(second.stderr).toContain(`"First" (${slug})`);
    if (process.env.DATABASE_URL) {
      const { db } = await testServer();
      expect(await db.prisma.membership.count({ where: { user: { email } } })).toBe(1);
    }
  }, 120_000);

  it("manages keys of a running Keyward through the SDK, with --json", async () => {
    const org = await seedOrganization("CLI");
    const env = { KEYWARD_URL: live.url, KEYWARD_KEY: org.adminKey };
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

    const refused = await keyward(["keys", "list", "--json"], { KEYWARD_URL: live.url, KEYWARD_KEY: rotated.secret });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe("API_KEY_REVOKED");
    const missing = await keyward(["keys", "revoke", "nonexistent"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NOT_FOUND");
  }, 120_000);
});
