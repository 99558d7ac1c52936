import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { openDatabase } from "../server/db.ts";
import { createOrganization } from "../server/domain/organizations.ts";
import type { PrismaClient } from "../server/generated/prisma/client.ts";
import { createLogger } from "../server/infra/logger.ts";
import { createServices } from "../server/services.ts";
import { createKeywardYoga, type KeywardYoga } from "../server/yoga.ts";
import { keyward } from "./helpers/cli.ts";
import { request } from "./helpers/http.ts";
import { testServer } from "./helpers/server.ts";

// `keyward recover` opens the database itself, as `init` does: on the embedded database (a data
// directory of its own, opened here only while no command runs), or the suite's PostgreSQL.

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** The database the command opens, and `use` to reach it meanwhile (a Keyward on it, and Prisma for seeding). */
async function database() {
  if (process.env.DATABASE_URL) {
    const { yoga, db } = await testServer();
    return { env: {} as Record<string, string>, use: <T>(fn: (on: { yoga: KeywardYoga; prisma: PrismaClient }) => Promise<T>) => fn({ yoga, prisma: db.prisma }) };
  }
  const dir = await mkdtemp(join(tmpdir(), "keyward-recover-"));
  dirs.push(dir);
  const dataDir = join(dir, "data");
  return {
    env: { KEYWARD_DATA_DIR: dataDir, DATABASE_URL: "" },
    use: async <T>(fn: (on: { yoga: KeywardYoga; prisma: PrismaClient }) => Promise<T>) => {
      const db = await openDatabase({ dataDir });
      try {
        const yoga = createKeywardYoga(createServices(db, loadConfig({}), { logger: createLogger("warn") }));
        return await fn({ yoga, prisma: db.prisma });
      } finally {
        await db.close();
      }
    },
  };
}

const VIEWER = /* GraphQL */ `{ viewer { role user { email } organization { slug } apiKey { id kind } } }`;
const AUDIT = /* GraphQL */ `
  query Audit($id: ID!) { auditEvents(first: 10, apiKeyId: $id) { edges { node { action targetId actorKeyId actorUserId metadata } } } }
`;

describe("keyward recover", () => {
  it("issues a new admin key for an admin, printed once and audited as a recovery; refuses others", async () => {
    const { env, use } = await database();
    const admin = `admin-${randomUUID()}@example.com`;
    const member = `member-${randomUUID()}@example.com`;
    const { first, second } = await use(async ({ prisma }) => {
      const first = await createOrganization({ prisma }, { organizationName: "Recover One", email: admin });
      // The same person administers a second organization, and a colleague is a plain member of the first.
      const second = await createOrganization({ prisma }, { organizationName: "Recover Two", email: admin });
      const user = await prisma.user.create({ data: { email: member } });
      await prisma.membership.create({ data: { organizationId: first.organization.id, userId: user.id, role: "MEMBER" } });
      return { first, second };
    });

    const refusals = [
      [["recover", "--email", member], "FORBIDDEN"],
      [["recover", "--email", `nobody-${randomUUID()}@example.com`], "NOT_FOUND"],
      [["recover", "--email", admin, "--org", `no-such-${randomUUID().slice(0, 8)}`], "NOT_FOUND"],
    ] as const;
    for (const [args, code] of refusals) {
      const result = await keyward([...args], env);
      expect.soft({ exit: result.code, code: /keyward: ([A-Z_]+):/.exec(result.stderr)?.[1], key: /kw_live_/.test(result.stdout) }, args.join(" ")).toEqual({
        exit: 1,
        code,
        key: false,
      });
    }

    // An admin of two organizations: --org says which (wrong usage without it, as for signin-link).
    const ambiguous = await keyward(["recover", "--email", admin], env);
    expect({ exit: ambiguous.code, named: ambiguous.stderr.includes(second.organization.slug), key: /kw_live_/.test(ambiguous.stdout) }).toEqual({
      exit: 2,
      named: true,
      key: false,
    });

    const recovered = await keyward(["recover", "--email", ` ${admin.toUpperCase()} `, "--org", second.organization.slug], env);
    expect(recovered.code, recovered.stderr).toBe(0);
    const keys = recovered.stdout.match(/kw_live_\w{51}/g) ?? [];
    expect(keys).toHaveLength(1);

    await use(async ({ yoga }) => {
      const viewer = (await request(yoga, VIEWER, { key: keys[0]! })).body?.data?.viewer;
      expect(viewer).toMatchObject({ role: "ADMIN", user: { email: admin }, organization: { slug: second.organization.slug }, apiKey: { kind: "PERSONAL" } });
      const audit = await request(yoga, AUDIT, { key: keys[0]!, variables: { id: viewer.apiKey.id } });
      expect(audit.body?.data?.auditEvents.edges.map((e: { node: unknown }) => e.node)).toEqual([
        {
          action: "API_KEY_CREATED",
          targetId: viewer.apiKey.id,
          actorKeyId: null,
          actorUserId: null,
          metadata: expect.objectContaining({ reason: "recovery", via: "cli", ownerId: second.user.id }),
        },
      ]);
      // The first organization's admin key is untouched.
      expect((await request(yoga, VIEWER, { key: first.secret })).body?.data?.viewer.organization.slug).toBe(first.organization.slug);
    });
  }, 120_000);

  it("refuses wrong usage with exit code 2, before the database is opened", async () => {
    const { env } = await database();
    for (const args of [["recover"], ["recover", "--email", "not an email"], ["recover", "--email", "a@example.com", "--bogus"]]) {
      const result = await keyward(args, env);
      expect.soft({ code: result.code, lines: result.stderr.trim().split("\n").length }, args.join(" ")).toEqual({ code: 2, lines: 1 });
    }
    if ("KEYWARD_DATA_DIR" in env) expect(existsSync(env.KEYWARD_DATA_DIR)).toBe(false);
  }, 60_000);
});
