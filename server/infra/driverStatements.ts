import type { PGlite } from "@electric-sql/pglite";
import type { PrismaPg } from "@prisma/adapter-pg";

/** The PostgreSQL driver adapter's connection, for the read without Prisma Client. */
export type DriverConnection = Pick<Awaited<ReturnType<PrismaPg["connect"]>>, "queryRaw">;

/**
 * A read taking one key id as `$1`, run without Prisma Client's query pipeline, and planned once.
 * Rows come as arrays. Its columns must be of types both databases' parsers answer alike (text,
 * integers, booleans, text arrays): timestamps and JSON are read as text, since PGlite's own
 * parsers would make them a `Date` and an object.
 */
export type ByKeyId = (sql: string) => (keyId: string) => Promise<unknown[][]>;

type ArgTypes = Parameters<DriverConnection["queryRaw"]>[0]["argTypes"];
const TEXT_ARGUMENT: ArgTypes = [{ scalarType: "string", arity: "scalar" }];

/**
 * PostgreSQL: a statement with a bind parameter; the adapter's statement names
 * (`KEYWARD_DATABASE_PREPARED_STATEMENTS`) have each connection plan it once.
 */
export function byKeyIdOnPostgres(driver: DriverConnection, onQuery?: (sql: string) => void): ByKeyId {
  return (sql) => async (keyId) => {
    onQuery?.(sql);
    return (await driver.queryRaw({ sql, args: [keyId], argTypes: TEXT_ARGUMENT })).rows;
  };
}

/** What a key id is made of; anything else cannot name a key, so it is never sent. */
const KEY_ID = /^[0-9A-Za-z]{1,64}$/;

/**
 * PGlite: its `query()` sends every statement unnamed, so Postgres plans it on every run; for the
 * four-table join of a key's record that was ~0.7 ms of 1.1 ms, in WASM on the server's thread.
 * PREPARE plans it once for the session (PGlite has one). Postgres takes EXECUTE's arguments as
 * literals, never as bind parameters, so only an id of key characters is written into it; and
 * with nothing to bind, EXECUTE goes as one simple query (`exec`) rather than `query()`'s parse,
 * describe, bind and execute: for the join, ~34 KB of heap instead of ~58 KB through the adapter.
 */
export function byKeyIdOnPGlite(pglite: Pick<PGlite, "exec">, onQuery?: (sql: string) => void): ByKeyId {
  let statements = 0;
  return (sql) => {
    const name = `keyward_by_key_id_${statements++}`;
    let prepared: Promise<unknown> | undefined;
    const prepare = () =>
      (prepared ??= pglite.exec(`PREPARE ${name}(text) AS ${sql}`).catch((error: unknown) => {
        prepared = undefined;
        throw error;
      }));
    return async (keyId) => {
      onQuery?.(sql);
      if (!KEY_ID.test(keyId)) return [];
      await prepare();
      const [result] = await pglite.exec(`EXECUTE ${name}('${keyId}')`, { rowMode: "array" });
      return (result?.rows ?? []) as unknown[][];
    };
  };
}
