// The embedded database takes the Prisma adapter's type parsers as its own once, instead of
// copying its map of ~320 parsers on every query that passes them (server/infra/pglite.ts): what
// a query answers must not change, in a transaction or out of one.
import { readFile } from "node:fs/promises";
import { types } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AdapterPGlite } from "../server/infra/pglite.ts";

const AT = "SELECT '2030-01-02T03:04:05Z'::timestamptz AS at, ARRAY[1, 2] AS numbers";

describe.skipIf(Boolean(process.env.DATABASE_URL))("PGlite with the adapter's parsers", () => {
  let pglite: AdapterPGlite;
  beforeAll(async () => {
    pglite = new AdapterPGlite(undefined, { loadDataDir: new Blob([await readFile(inject("pgliteSnapshot"))]) });
    await pglite.waitReady;
    await pglite.exec("CREATE TABLE parsed (n int)");
  });
  afterAll(() => pglite.close());

  const adapters = { [types.TIMESTAMPTZ]: (text: string) => `adapter ${text}` };
  const at = (rows: unknown[]) => (rows[0] as { at: unknown }).at;

  it("parses with them on every query that passes them, and with PGlite's own for the other types", async () => {
    const before = await pglite.query(AT);
    expect(at(before.rows)).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i++) {
      const { rows } = await pglite.query(AT, [], { parsers: adapters });
      expect(rows).toEqual([{ at: "adapter 2030-01-02 03:04:05+00", numbers: [1, 2] }]);
    }
    expect(pglite.parsers[types.TIMESTAMPTZ]).toBe(adapters[types.TIMESTAMPTZ]);
  });

  it("parses with them in a transaction, which still commits and rolls back", async () => {
    const inside = await pglite.transaction(async (tx) => {
      await tx.query("INSERT INTO parsed VALUES (1)");
      expect(tx.closed).toBe(false);
      return (await tx.query(AT, [], { parsers: adapters, rowMode: "array" })).rows;
    });
    expect(inside).toEqual([["adapter 2030-01-02 03:04:05+00", [1, 2]]]);
    await pglite.transaction(async (tx) => {
      await tx.query("INSERT INTO parsed VALUES (2)", [], { parsers: adapters });
      await tx.rollback();
      expect(tx.closed).toBe(true);
    });
    expect((await pglite.query("SELECT n FROM parsed")).rows).toEqual([{ n: 1 }]);
  });

  it("answers a query passing other parsers with those", async () => {
    const others = { [types.TIMESTAMPTZ]: () => "other" };
    expect(at((await pglite.query(AT, [], { parsers: others })).rows)).toBe("other");
    expect(at((await pglite.query(AT, [], { parsers: adapters })).rows)).toBe("adapter 2030-01-02 03:04:05+00");
  });
});
