import { describe, expect, it } from "vitest";
import { KeyCache } from "../server/auth/cache.ts";
import type { KeyRecord } from "../server/auth/principal.ts";

const record = (id: string, ownerId: string | null = "owner-1"): KeyRecord => ({
  id,
  name: id,
  kind: ownerId ? "PERSONAL" : "SERVICE",
  environment: "LIVE",
  organizationId: "org-1",
  ownerId,
  ownerRole: ownerId ? "ADMIN" : null,
  tenant: null,
  limits: null,
  scopes: [],
  permissions: [],
  status: "ENABLED",
  secretHash: Buffer.alloc(32),
  previousSecretHash: null,
  previousSecretExpiresAt: null,
  expiresAt: null,
});

/** A read that starts, sees `between` happen while it waits on the database, then fills. */
function racedFill(cache: KeyCache, filled: KeyRecord | null, id: string, between: () => void): boolean {
  const epoch = cache.epoch();
  between();
  cache.set(id, filled, epoch);
  return cache.get(id) !== undefined;
}

describe("KeyCache fills racing invalidations", () => {
  it("keeps a fill when only other keys or other people changed meanwhile", () => {
    const cache = new KeyCache();
    expect(racedFill(cache, record("a"), "a", () => cache.invalidateKeys(["b", "c"]))).toBe(true);
    expect(racedFill(cache, record("d"), "d", () => cache.invalidateUsers(["owner-2"]))).toBe(true);
    expect(racedFill(cache, null, "e", () => cache.invalidateKeys(["f"]))).toBe(true);
  });

  it("drops a fill when its key, its owner or everything changed meanwhile", () => {
    const cache = new KeyCache();
    expect(racedFill(cache, record("a"), "a", () => cache.invalidateKeys(["a"]))).toBe(false);
    expect(racedFill(cache, record("b"), "b", () => cache.invalidateUsers(["owner-1"]))).toBe(false);
    expect(racedFill(cache, null, "c", () => cache.invalidateKeys(["c"]))).toBe(false);
    expect(racedFill(cache, record("d"), "d", () => cache.clear())).toBe(false);
    // A change before the read began doesn't matter.
    cache.invalidateKeys(["e"]);
    expect(racedFill(cache, record("e"), "e", () => undefined)).toBe(true);
  });

  it("after a flood of invalidations, distrusts reads older than the marks it forgot, and keeps fresh fills", () => {
    const cache = new KeyCache();
    const epoch = cache.epoch();
    for (let i = 0; i < 50_000; i++) cache.invalidateKeys([`flood-${i}`]);
    // "flood-0" was invalidated after this read began, and that mark has been forgotten by now.
    cache.set("flood-0", record("flood-0"), epoch);
    expect(cache.get("flood-0")).toBeUndefined();
    expect(racedFill(cache, record("late"), "late", () => cache.invalidateKeys(["other"]))).toBe(true);
  });
});
