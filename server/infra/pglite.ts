import { PGlite, type QueryOptions, type Results, type Transaction } from "@electric-sql/pglite";

type Parsers = NonNullable<QueryOptions["parsers"]>;

/**
 * PGlite for the Prisma driver adapter, which passes its type parsers with every query. PGlite
 * answers a query that passes parsers with `{ ...this.parsers, ...options.parsers }`: a copy of
 * its own map (~320 entries, every built-in type and its array type), ~120 KB of heap per query,
 * most of what a query allocated here, and each young-generation collection it brings on holds
 * the server's one thread for 2–5 ms. So the first parsers passed are made this instance's own,
 * once, and not passed again when they come back.
 *
 * Only the adapter passes parsers to this instance (the migrations that run first pass none), so
 * its parsers are the only ones; other parsers, if any came, would be answered as PGlite answers them.
 */
export class AdapterPGlite extends PGlite {
  #adopted: Parsers | undefined;

  override query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return super.query<T>(sql, params, this.#withoutAdopted(options));
  }

  override transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return super.transaction((tx) => {
      const query = <R>(sql: string, params?: unknown[], options?: QueryOptions) => tx.query<R>(sql, params, this.#withoutAdopted(options));
      // `tx` keeps its own `closed`, `rollback` and the rest; only `query` changes.
      return callback(Object.create(tx, { query: { value: query } }) as Transaction);
    });
  }

  #withoutAdopted(options: QueryOptions | undefined): QueryOptions | undefined {
    const parsers = options?.parsers;
    if (!parsers) return options;
    if (this.#adopted === undefined) {
      Object.assign(this.parsers, parsers);
      this.#adopted = parsers;
    }
    if (parsers !== this.#adopted) return options;
    const { parsers: _adopted, ...rest } = options;
    return rest;
  }
}
