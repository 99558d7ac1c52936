import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { presentedKey } from "../server/auth/headers.ts";
import { parseKey } from "../server/auth/key.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { gql } from "./helpers/server.ts";

// Hostile text: unicode, control characters, huge sizes, and strings shaped almost like keys.
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 120 }),
  fc.constantFrom("", " ", "\u0000", "\u202e", "'; DROP TABLE \"ApiKey\"; --", "{{7*7}}", "null", "NaN", "\ud800"),
  fc.integer({ min: 0, max: 2_000_000 }).map((n) => "x".repeat(n % 200_000)),
  fc.tuple(fc.constantFrom("live", "test", "LIVE", "prod"), fc.string({ maxLength: 70 })).map(([env, rest]) => `kw_${env}_${rest}`),
);
// What an HTTP header can carry (visible ASCII and spaces).
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 600 });

describe("hostile input never gets a 5xx, and never a secret back", () => {
  it("the key parser and header reader never throw", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(parseKey(s)).toBeNull();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(headerValue, headerValue, (a, b) => {
        const request = new Request("http://k.test/graphql", { headers: { "x-api-key": a, authorization: b } });
        expect(["none", "key", "invalid"]).toContain(presentedKey(request).kind);
      }),
      { numRuns: 500 },
    );
  });

  it("headers: any X-API-Key or Authorization value is a 401, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, fc.constantFrom("x-api-key", "authorization"), async (value, header) => {
        const result = await gql(`{ viewer { scopes } }`, { headers: { [header]: value } });
        expect([401, 200]).toContain(result.status);
        if (result.status === 401) expect(result.code).toBe("UNAUTHENTICATED");
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
  });

  it("every string input of every key operation answers below 500 without leaking the caller's secret", async () => {
    const org = await seedOrganization("Fuzzed");
    const target = await createKey(org.adminKey, { name: "target" });
    const secretPart = org.adminKey.slice(21, -6);
    const operations = [
      (s: string) => gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }`, { key: org.adminKey, variables: { i: { name: s } } }),
      (s: string) => gql(`mutation($i: RenameApiKeyInput!) { renameApiKey(input: $i) { apiKey { id } } }`, { key: org.adminKey, variables: { i: { id: target.id, name: s } } }),
      (s: string) => gql(`mutation($i: DisableApiKeyInput!) { disableApiKey(input: $i) { apiKey { id } } }`, { key: org.adminKey, variables: { i: { id: s } } }),
      (s: string) => gql(`mutation($i: VerifyApiKeyInput!) { verifyApiKey(input: $i) { valid code } }`, { key: org.adminKey, variables: { i: { key: s } } }),
      (s: string) => gql(`query($a: String) { apiKeys(after: $a) { edges { node { id } } } }`, { key: org.adminKey, variables: { a: s } }),
      (s: string) => gql(`query($id: ID!) { apiKey(id: $id) { id } }`, { key: org.adminKey, variables: { id: s } }),
      (s: string) => gql(`mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { secret } }`, { variables: { i: { code: s, keyName: s } } }),
      (s: string) => gql(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { code } }`, { key: org.adminKey, variables: { i: { email: s, role: "MEMBER" } } }),
      (s: string) => gql(`mutation($i: SignUpInput!) { signUp(input: $i) { organization { id } } }`, { variables: { i: { organizationName: s, email: s } } }),
      (s: string) => gql(`query($d: DateTime!) { apiKeys(unusedSince: $d) { edges { node { id } } } }`, { key: org.adminKey, variables: { d: s } }),
    ];
    await fc.assert(
      fc.asyncProperty(hostile, fc.nat({ max: operations.length - 1 }), async (input, which) => {
        const result = await operations[which]!(input);
        expect(result.status, result.text).toBeLessThan(500);
        expect(result.text.includes(secretPart)).toBe(false);
        if (result.errors) expect(result.code, result.text).toMatch(/^(BAD_USER_INPUT|NOT_FOUND|CONFLICT|RATE_LIMITED)$/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  }, 120_000);
});
