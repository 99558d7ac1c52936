import { describe, expect, it } from "vitest";
import { digestBytes, formatKey, generateKey, hashSecret, KEY_LENGTH, maskKey, parseKey, randomBase62, secretMatches } from "../server/auth/key.ts";

const ALPHABET = /^[0-9A-Za-z]+$/;

describe("key format", () => {
  it("generates kw_<env>_<12 id>_<32 secret><6 check> with a valid checksum", () => {
    for (const env of ["live", "test"] as const) {
      const key = generateKey(env);
      expect(key.key).toMatch(new RegExp(`^kw_${env}_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$`));
      expect(key.key).toHaveLength(KEY_LENGTH);
      expect(parseKey(key.key)).toEqual({ environment: env, id: key.id, secret: key.secret });
      expect(key.lastFour).toBe(key.key.slice(-4));
      expect(key.secretHash).toBe(hashSecret(key.secret));
    }
  });

  it("draws secrets from the whole alphabet and never repeats them", () => {
    const secrets = new Set(Array.from({ length: 2000 }, () => generateKey("live").secret));
    expect(secrets.size).toBe(2000);
    const used = new Set([...secrets].join(""));
    expect(used.size).toBe(62);
    const sample = randomBase62(10_000);
    expect(sample).toHaveLength(10_000);
    expect(sample).toMatch(ALPHABET);
  });

  it("refuses any single-character change (typos and fakes) without a lookup", () => {
    const { key } = generateKey("live");
    const replacement = (c: string) => (c === "a" ? "b" : "a");
    for (let i = 0; i < key.length; i++) {
      const typo = key.slice(0, i) + replacement(key[i]!) + key.slice(i + 1);
      expect(parseKey(typo), `position ${i}`).toBeNull();
    }
    // Swapping two neighbouring characters of the secret is caught too.
    const at = 30;
    const swapped = key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2);
    if (swapped !== key) expect(parseKey(swapped)).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["whitespace around", ` ${generateKey("live").key} `],
    ["another prefix", generateKey("live").key.replace("kw_live_", "sk_live_")],
    ["an unknown environment", formatKey("prod" as "live", "A".repeat(12), "b".repeat(32))],
    ["upper-cased prefix", generateKey("live").key.replace("kw_live_", "KW_LIVE_")],
    ["1 MB of text", "k".repeat(1_048_576)],
    ["a Cyrillic lookalike in the prefix", generateKey("live").key.replace("kw_", "кw_")],
    ["a Cyrillic lookalike in the secret", ((k) => `${k.slice(0, 30)}а${k.slice(31)}`)(generateKey("live").key)],
    ["NUL and control characters", `kw_live_${"\u0000".repeat(12)}_${"\u0007".repeat(38)}`],
    ["SQL", `kw_live_' OR 1=1 --_${"x".repeat(30)}`],
  ])("parses %s as no key", (_, candidate) => {
    expect(parseKey(candidate)).toBeNull();
  });

  it("masks as kw_<env>_<id>_…<last four>", () => {
    const key = generateKey("test");
    expect(maskKey("test", key.id, key.lastFour)).toBe(`kw_test_${key.id}_…${key.key.slice(-4)}`);
  });

  it("compares secrets with their stored hash", () => {
    const key = generateKey("live");
    expect(secretMatches(key.secret, digestBytes(key.secretHash))).toBe(true);
    expect(secretMatches(generateKey("live").secret, digestBytes(key.secretHash))).toBe(false);
    expect(secretMatches(key.secret, digestBytes(key.secretHash.slice(0, 32)))).toBe(false);
    expect(key.secretHash).not.toContain(key.secret);
  });
});
