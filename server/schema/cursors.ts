import { badInput } from "../errors.ts";

/**
 * What this server's cursors decode to (base64 of @pothos/plugin-prisma's `GPC:` + typed value).
 * Pothos decodes any well-formed typed value, an Int or an object where an id goes included,
 * and the database then refuses it deep in the query: a cursor is checked for exactly the
 * shape its list hands out.
 */
const SHAPES = {
  /** `cursor: "id"` over uuid(7) ids (members, audit events). */
  uuid: /^GPC:S:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /** `cursor: "createdAt_id"` over keys: a time in ms and a key's public id. */
  createdAtKeyId: /^GPC:T:\["D:\d{1,15}","S:[0-9A-Za-z]{12}"\]$/,
};

export function assertCursors(args: { after?: string | null; before?: string | null }, shape: keyof typeof SHAPES): void {
  for (const name of ["after", "before"] as const) {
    const cursor = args[name];
    if (cursor != null && !SHAPES[shape].test(Buffer.from(cursor, "base64").toString("utf8"))) {
      throw badInput(`${name} is not a cursor of this list; pass pageInfo.endCursor (or startCursor) as it came.`, name);
    }
  }
}
