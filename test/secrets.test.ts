import { describe, expect, it } from "vitest";
import { createLogger } from "../server/infra/logger.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { mutation, request, send } from "./helpers/http.ts";
import { testServer } from "./helpers/server.ts";

/**
 * A full key appears once, in the payload that created it. This walks a key's whole life with
 * a logger capturing everything at debug level, then searches every later response, every log
 * line, the audit trail and the key's row for the secret.
 */
describe("secrets stay secret", () => {
  it("never appear after their creation payload: not in responses, logs, audit records or the database", async () => {
    const { db, usage, services } = await testServer();
    const logLines: string[] = [];
    const yoga = createKeywardYoga({ ...services, logger: createLogger("debug", (l) => logLines.push(l)) });
    const later: string[] = [];
    const call = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => request(yoga, query, { variables, headers });
    const org = await seedOrganization("Secretive");
    const admin = { "x-api-key": org.adminKey };

    const created = JSON.parse(
      (await call(mutation("createApiKey", "{ apiKey { id } secret }"), { i: { name: "s" } }, admin)).text,
    );
    const { secret, apiKey } = created.data.createApiKey as { secret: string; apiKey: { id: string } };
    const secretPart = secret.slice(`kw_live_${apiKey.id}_`.length, -6);

    const rotated = JSON.parse(
      (await call(mutation("rotateApiKey", "{ secret }"), { i: { id: apiKey.id, gracePeriodSeconds: 60 } }, admin)).text,
    );
    const newSecret = rotated.data.rotateApiKey.secret as string;
    const newPart = newSecret.slice(`kw_live_${apiKey.id}_`.length, -6);

    const everything = `{ viewer { apiKey { id name maskedKey } } apiKeys(status: ENABLED) { edges { node { id maskedKey scopes } } }
      auditEvents(first: 100) { edges { node { action metadata targetId actorKeyId } } } }`;
    for (const key of [secret, newSecret]) {
      later.push((await call(everything, {}, { "x-api-key": key })).text);
      later.push((await call(everything, {}, { authorization: `Bearer ${key}` })).text);
      later.push((await call(everything, {}, { authorization: `Api-Key ${key}`, "x-api-key": org.adminKey })).text);
      later.push((await call(everything, {}, { "x-api-key": key.slice(0, -1) + (key.endsWith("A") ? "B" : "A") })).text);
      later.push((await call(`{ viewer { scopes } }`, {}, { "x-api-key": `${key} trailing` })).text);
      later.push(
        (await call(mutation("verifyApiKey", "{ valid code apiKey { maskedKey } }"), { i: { key } }, admin)).text,
      );
      later.push((await call(`{ apiKey(id: "${key}") { id } }`, {}, admin)).text);
    }
    for (const id of [apiKey.id]) {
      later.push((await call(mutation("revokeApiKey", "{ apiKey { maskedKey } }"), { i: { id } }, admin)).text);
    }
    later.push((await call(everything, {}, { "x-api-key": newSecret })).text);
    await usage.flush();

    const audit = JSON.stringify(await db.prisma.auditEvent.findMany({ where: { organizationId: org.organization.id } }));
    const row = JSON.stringify(await db.prisma.apiKey.findUnique({ where: { id: apiKey.id } }));
    const haystacks = { responses: later.join("\n"), logs: logLines.join("\n"), audit, row };
    expect(later.length).toBeGreaterThan(10);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of [secretPart, newPart]) {
        expect(text.includes(needle), `a secret appeared in ${where}`).toBe(false);
      }
    }
    // The search itself works: the row holds the hash of the current secret, and responses name the key.
    expect(row).toContain(apiKey.id);
    expect(haystacks.responses).toContain(apiKey.id);
  }, 90_000); // the whole story of every secret-bearing operation: slow on a loaded shared machine, not a timing assertion

  it("are not echoed by error messages about a malformed body that carries one", async () => {
    const org = await seedOrganization();
    const { yoga } = await testServer();
    for (const body of [`{"query":"mutation { verifyApiKey(input: { key: \\"${org.adminKey}\\" }) { valid } }"`, `{"variables":{"k":"${org.adminKey}"}`]) {
      const { status, text } = await send(yoga, { method: "POST", headers: { "content-type": "application/json", "x-api-key": org.adminKey }, body });
      expect(status).toBe(400);
      expect(JSON.parse(text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
      expect(text).not.toContain(org.adminKey.slice(20));
    }
  });
});
