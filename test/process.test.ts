import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { insecureGet, post, startKeywardProcess } from "./helpers/process.ts";
import { openDatabase } from "../server/db.ts";
import { seedOrganization } from "./helpers/seed.ts";

const KEY = /kw_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}/g;
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keyward-proc-"));
  dirs.push(dir);
  return dir;
}

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.runIf(!onPostgres)("first boot on the embedded database", () => {
  it("prints the admin key once, and never on later boots", async () => {
    const dataDir = join(await tempDir(), "data");
    const first = await startKeywardProcess({ KEYWARD_DATA_DIR: dataDir, DATABASE_URL: "" });
    await first.stop();
    const printed = first.output().match(KEY) ?? [];
    expect(new Set(printed).size).toBe(1);
    expect(first.output()).toMatch(/will not be shown again/);
    const firstLink = /Sign in to the console: (http:\/\/localhost:\d+\/signin#[\w-]{43})\n/.exec(first.output())?.[1];
    expect(firstLink).toBeDefined();
    // On Keyward's machine, like init: another one-time link for a member (and none for a stranger).
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ["bin/keyward.mjs", ...args], { cwd: join(import.meta.dirname, ".."), env: { ...process.env, KEYWARD_DATA_DIR: dataDir, DATABASE_URL: "" } }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const cliLink = /Sign in to the console[^:]*: (\S+#[\w-]{43})\n/.exec((await cli(["signin-link", "--email", "admin@localhost"])).stdout)?.[1];
    expect(cliLink).toBeDefined();
    expect((await cli(["signin-link", "--email", "nobody@example.com"])).code).toBe(1);

    const second = await startKeywardProcess({ KEYWARD_DATA_DIR: dataDir, DATABASE_URL: "" });
    try {
      expect(second.output()).not.toMatch(KEY);
      expect(second.output()).not.toMatch(/Sign in to the console/);
      const signIn = (link: string) =>
        fetch(`${second.url}/console/session`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: second.url, "x-graphql-csrf": "1" },
          body: JSON.stringify({ token: new URL(link).hash.slice(1) }),
        }).then((r) => r.status);
      expect([await signIn(firstLink!), await signIn(cliLink!), await signIn(firstLink!)]).toEqual([200, 200, 401]);
      const viewer = await post(second.url, `{ viewer { role organization { name } } }`, printed[0]);
      expect(viewer.status).toBe(200);
      expect(viewer.body.data.viewer).toEqual({ role: "ADMIN", organization: { name: "My Organization" } });
      // A second process on the same data directory is refused instead of corrupting it.
      await expect(startKeywardProcess({ KEYWARD_DATA_DIR: dataDir, DATABASE_URL: "" })).rejects.toThrow(/Another Keyward/);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe.runIf(!onPostgres)("graceful shutdown", () => {
  it("on SIGTERM finishes, writes pending usage and exits 0", async () => {
    const env = { KEYWARD_DATA_DIR: join(await tempDir(), "data"), DATABASE_URL: "", KEYWARD_USAGE_FLUSH_MS: "3600000" };
    const server = await startKeywardProcess(env);
    const key = server.output().match(KEY)![0];
    expect((await post(server.url, `{ viewer { role } }`, key)).status).toBe(200);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: finishing in-flight requests, flushing usage, closing the database/);

    // The flush interval was an hour, so only the shutdown can have written this.
    const db = await openDatabase({ dataDir: env.KEYWARD_DATA_DIR });
    try {
      const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.slice(8, 20) } });
      expect(row.lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 120_000);
      expect(await db.prisma.apiKeyUsageDay.count({ where: { apiKeyId: row.id } })).toBe(1);
    } finally {
      await db.close();
    }
  }, 90_000);
});

describe.runIf(!onPostgres)("own TLS", () => {
  it("serves HTTPS itself with KEYWARD_TLS_CERT and KEYWARD_TLS_KEY, HTTPS being required", async () => {
    const dir = await tempDir();
    await promisify(execFile)("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ]);
    const server = await startKeywardProcess(
      {
        KEYWARD_DATA_DIR: join(dir, "data"),
        DATABASE_URL: "",
        KEYWARD_TLS_CERT: join(dir, "cert.pem"),
        KEYWARD_TLS_KEY: join(dir, "key.pem"),
        KEYWARD_REQUIRE_HTTPS: "true",
      },
      { tls: true },
    );
    try {
      const ready = await insecureGet(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const key = server.output().match(KEY)![0];
      const viewer = await insecureGet(`${server.url}/graphql?query=${encodeURIComponent("{ viewer { role } }")}`, { "x-api-key": key });
      expect(viewer.status).toBe(200);
      expect(JSON.parse(viewer.body)).toEqual({ data: { viewer: { role: "ADMIN" } } });
    } finally {
      await server.stop();
    }
  }, 90_000);
});

it("stops with a one-line explanation on bad configuration", async () => {
  await expect(startKeywardProcess({ PORT: "not-a-port" })).rejects.toThrow(/PORT must be a whole number/);
}, 60_000);

describe("durability", () => {
  it("every key acknowledged before kill -9 exists and works after a restart", async () => {
    const env: Record<string, string> = onPostgres ? {} : { KEYWARD_DATA_DIR: join(await tempDir(), "data"), DATABASE_URL: "" };
    let adminKey: string;
    let server = await startKeywardProcess(env);
    if (onPostgres) {
      adminKey = (await seedOrganization("Durable")).adminKey;
    } else {
      adminKey = server.output().match(KEY)![0];
    }

    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await post(server.url, CREATE, adminKey, { input: { name: `durable ${i}` } });
      expect(created.status).toBe(200);
      acknowledged.push(created.body.data.createApiKey.secret);
    }
    await server.stop("SIGKILL");

    server = await startKeywardProcess(env);
    try {
      for (const key of acknowledged) {
        const viewer = await post(server.url, `{ viewer { apiKey { name } } }`, key);
        expect(viewer.status).toBe(200);
      }
    } finally {
      await server.stop();
    }
  }, 120_000);
});
