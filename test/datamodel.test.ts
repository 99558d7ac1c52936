import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { getDatamodel } from "../server/generated/pothos-prisma-types.ts";
import { migrate, MigrationError, readMigrations, type SqlConnection } from "../server/infra/migrate.ts";
import { testServer } from "./helpers/server.ts";

interface Column {
  table_name: string;
  column_name: string;
  is_nullable: "YES" | "NO";
  data_type: string;
  udt_name: string;
}

const expectedType: Record<string, string[]> = {
  String: ["text"],
  Int: ["integer"],
  Boolean: ["boolean"],
  DateTime: ["timestamp without time zone", "date"],
  Json: ["jsonb"],
  BigInt: ["bigint"],
};

/** The hand-written migrations must produce exactly what schema.prisma describes. */
describe("the migrated database matches the Prisma datamodel", () => {
  it("has every model's table and columns, with their types, nullability and unique indexes, and nothing else", async () => {
    const { db } = await testServer();
    const columns = await db.prisma.$queryRawUnsafe<Column[]>(
      `SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const indexes = await db.prisma.$queryRawUnsafe<Array<{ tablename: string; indexdef: string }>>(
      `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const { models } = getDatamodel().datamodel;
    const tables = new Set(columns.map((c) => c.table_name));
    expect([...tables].sort()).toEqual(Object.keys(models).sort());

    for (const [model, { fields, primaryKey, uniqueIndexes }] of Object.entries(models)) {
      const scalars = fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
      const actual = columns.filter((c) => c.table_name === model);
      expect(actual.map((c) => c.column_name).sort(), model).toEqual(scalars.map((f) => f.name).sort());
      for (const field of scalars) {
        const column = actual.find((c) => c.column_name === field.name)!;
        const where = `${model}.${field.name}`;
        if (field.isList) {
          expect(column.data_type, where).toBe("ARRAY");
          expect(column.udt_name, where).toBe(`_${field.type === "String" ? "text" : field.type}`);
        } else if (field.kind === "enum") {
          expect([column.data_type, column.udt_name], where).toEqual(["USER-DEFINED", field.type]);
        } else {
          expect(expectedType[field.type], where).toContain(column.data_type);
        }
        // Prisma lists are NOT NULL in the model but nullable arrays in SQL; everything else must agree.
        if (!field.isList) expect(column.is_nullable === "NO", where).toBe(field.isRequired);
      }

      const uniques = indexes
        .filter((i) => i.tablename === model && /UNIQUE INDEX/.test(i.indexdef))
        .map((i) => /\((.+)\)$/.exec(i.indexdef)![1]!.replace(/"/g, "").split(", ").join(","));
      const wanted = [
        ...fields.filter((f) => f.isId || f.isUnique).map((f) => f.name),
        ...(primaryKey ? [primaryKey.fields.join(",")] : []),
        ...uniqueIndexes.map((u) => u.fields.join(",")),
      ];
      for (const unique of wanted) expect(uniques, `${model} unique (${unique})`).toContain(unique);
    }
  });
});

function connection(pglite: PGlite): SqlConnection {
  return {
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  };
}

describe("the migrator", () => {
  it("records migrations as Prisma does, applies each once, refuses edited history, and rolls back a failure", async () => {
    const pglite = new PGlite();
    const db = connection(pglite);
    const migrations = await readMigrations();
    expect(await migrate(db, migrations)).toEqual(migrations.map((m) => m.name));
    const rows = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await migrate(db, migrations)).toEqual([]);

    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrate(db, edited)).rejects.toBeInstanceOf(MigrationError);

    const broken = [...migrations, { name: "29990101000000_broken", sql: `CREATE TABLE "Half" (id int); SELECT nonsense;`, checksum: "1".repeat(64) }];
    await expect(migrate(db, broken)).rejects.toBeInstanceOf(MigrationError);
    expect(await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`)).toEqual([]);
    expect(await db.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`)).toEqual([]);
    await pglite.close();
  }, 60_000);
});
