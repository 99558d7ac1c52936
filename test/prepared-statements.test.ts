import { describe, expect, it } from "vitest";
import { openDatabase } from "../server/db.ts";
import type { PrismaClient } from "../server/generated/prisma/client.ts";
import { statementNames } from "../server/infra/postgres.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

describe("statementNames (which statements PostgreSQL prepares once per connection)", () => {
  it("names a statement from its third run on, always the same name, and stops naming at the limit", () => {
    const name = statementNames(2, 3);
    const run = (sql: string) => name({ sql });
    expect([run("A"), run("A"), run("A"), run("A")]).toEqual(["", "", "keyward_0", "keyward_0"]);
    expect([run("B"), run("B"), run("B")]).toEqual(["", "", "keyward_1"]);
    // The limit is reached: a third statement runs unnamed however often it runs.
    expect(Array.from({ length: 10 }, () => run("C"))).toEqual(Array(10).fill(""));
    expect([run("A"), run("B")]).toEqual(["keyward_0", "keyward_1"]);
  });

  it("never names a text that varies", () => {
    const name = statementNames(256, 3);
    const names = Array.from({ length: 5_000 }, (_, i) => name({ sql: `SELECT ${i}` }));
    expect(names.every((n) => n === "")).toBe(true);
  });
});

const databaseUrl = process.env.DATABASE_URL;

/** Runs `sql` five times on one connection (a transaction), then lists the prepared statements of that connection holding it. */
async function runOnOneConnection(prisma: PrismaClient, sql: string, value: string) {
  return prisma.$transaction(async (tx) => {
    const answers: unknown[] = [];
    for (let i = 0; i < 5; i++) answers.push(await tx.$queryRawUnsafe(sql, value));
    const prepared = await tx.$queryRaw<{ name: string }[]>`SELECT "name" FROM pg_prepared_statements WHERE "statement" = ${sql}`;
    return { answers, prepared };
  });
}

describe.runIf(databaseUrl)("prepared statements on PostgreSQL", () => {
  it("a statement run often is prepared on its connection and answers as before", async () => {
    const { db } = await testServer();
    const org = await seedOrganization("Prepared");
    const sql = `SELECT "name" FROM "Organization" WHERE "id" = $1 AND 'prepared-statements test' IS NOT NULL`;
    const { answers, prepared } = await runOnOneConnection(db.prisma, sql, org.organization.id);
    expect(answers).toEqual(Array(5).fill([{ name: org.organization.name }]));
    expect(prepared).toEqual([{ name: expect.stringMatching(/^keyward_\d+$/) }]);
  });

  it("turned off, nothing is prepared", async () => {
    const org = await seedOrganization("Unprepared");
    const db = await openDatabase({ databaseUrl, preparedStatements: false });
    try {
      const sql = `SELECT "name" FROM "Organization" WHERE "id" = $1 AND 'unprepared test' IS NOT NULL`;
      const { answers, prepared } = await runOnOneConnection(db.prisma, sql, org.organization.id);
      expect(answers).toEqual(Array(5).fill([{ name: org.organization.name }]));
      expect(prepared).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
