import { describe, expect, it } from "vitest";
import { errorStatus, type ErrorCode } from "../server/errors.ts";
import { FailureLimiter } from "../server/infra/rateLimit.ts";
import { gql, mutation, post, send, type GraphQLResponse } from "./helpers/http.ts";
import { ACCEPT, addMember, INVITE } from "./helpers/members.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { editedDirectly, testServer } from "./helpers/server.ts";
import { yogaWith } from "./helpers/yoga.ts";

// server/errors.ts's `errorStatus` is the one table of codes and HTTP statuses. Each refusal
// below is a real request answered with that code; its status must be the table's.

const VIEWER = `{ viewer { role } }`;

async function invitation(adminKey: string): Promise<{ id: string; code: string }> {
  const invited = await gql(INVITE, { key: adminKey, variables: { input: { email: `e-${crypto.randomUUID()}@example.com`, role: "MEMBER" } } });
  return { id: invited.data?.inviteMember.invitation.id, code: invited.data?.inviteMember.code };
}

const accept = (code: string) => gql(ACCEPT, { variables: { input: { code } } });

const refusals: Partial<Record<ErrorCode, () => Promise<GraphQLResponse>>> = {
  UNAUTHENTICATED: () => gql(VIEWER, { key: "kw_live_wrong" }),
  API_KEY_DISABLED: async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey);
    await gql(mutation("disableApiKey"), { key: org.adminKey, variables: { i: { id } } });
    return gql(VIEWER, { key: secret });
  },
  API_KEY_REVOKED: async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey);
    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id } } });
    return gql(VIEWER, { key: secret });
  },
  API_KEY_EXPIRED: async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await (await testServer()).db.prisma.apiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await editedDirectly([id]);
    return gql(VIEWER, { key: secret });
  },
  FORBIDDEN: async () => {
    const org = await seedOrganization();
    const narrow = await createKey(org.adminKey, { scopes: ["KEYS_READ", "KEYS_WRITE"] });
    return gql(mutation("createApiKey", "{ secret }"), { key: narrow.secret, variables: { i: { name: "wider", scopes: ["AUDIT_READ"] } } });
  },
  HTTPS_REQUIRED: async () => {
    const org = await seedOrganization();
    return send(await yogaWith({ KEYWARD_REQUIRE_HTTPS: "true" }), post(VIEWER, { "x-api-key": org.adminKey }));
  },
  IP_NOT_ALLOWED: async () => {
    const org = await seedOrganization();
    const { secret } = await createKey(org.adminKey, { allowedIps: ["192.0.2.1"] });
    return send(await yogaWith({ KEYWARD_TRUST_PROXY: "true" }), post(VIEWER, { "x-api-key": secret, "x-forwarded-for": "192.0.2.2" }));
  },
  RATE_LIMITED: async () => {
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { signUps: new FailureLimiter(1, 60_000) });
    const signUp = () =>
      send(yoga, post(`mutation { signUp(input: { organizationName: "Limited", email: "l-${crypto.randomUUID()}@example.com" }) { secret } }`, { "x-forwarded-for": "203.0.113.201" }));
    await signUp();
    return signUp();
  },
  BAD_USER_INPUT: async () => {
    const org = await seedOrganization();
    return gql(mutation("createApiKey", "{ secret }"), { key: org.adminKey, variables: { i: { name: "" } } });
  },
  NOT_FOUND: () => accept("kwinv_" + "a".repeat(32)),
  CONFLICT: async () => {
    const org = await seedOrganization();
    const member = await addMember(org.adminKey);
    return gql(INVITE, { key: org.adminKey, variables: { input: { email: member.email, role: "ADMIN" } } });
  },
  CONFIRMATION_REQUIRED: async () => {
    const org = await seedOrganization();
    const used = await createKey(org.adminKey);
    await gql(VIEWER, { key: used.secret });
    return gql(mutation("deleteApiKey"), { key: org.adminKey, variables: { i: { id: used.id } } });
  },
  LAST_ADMIN: async () => {
    const org = await seedOrganization();
    return gql(mutation("updateMemberRole"), { key: org.adminKey, variables: { i: { userId: org.user.id, role: "MEMBER" } } });
  },
  INVITATION_EXPIRED: async () => {
    const org = await seedOrganization();
    const { id, code } = await invitation(org.adminKey);
    await (await testServer()).db.prisma.invitation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    return accept(code);
  },
  INVITATION_USED: async () => {
    const org = await seedOrganization();
    const { code } = await invitation(org.adminKey);
    await accept(code);
    return accept(code);
  },
  INVITATION_CANCELLED: async () => {
    const org = await seedOrganization();
    const { id, code } = await invitation(org.adminKey);
    await gql(mutation("cancelInvitation"), { key: org.adminKey, variables: { i: { id } } });
    return accept(code);
  },
};

/** Failures of the server, not refusals of a request: test/faults.test.ts, change.test.ts, black-hole.test.ts and dropped-connections.test.ts cause them. */
const causedElsewhere: ErrorCode[] = ["INTERNAL_SERVER_ERROR", "UNAVAILABLE"];

describe("every error code is answered with the HTTP status of server/errors.ts's table", () => {
  it("each code of the table is either refused below or caused by a named test", () => {
    const codes = Object.keys(errorStatus) as ErrorCode[];
    expect(codes.filter((code) => !(code in refusals) && !causedElsewhere.includes(code))).toEqual([]);
  });

  it.each(Object.entries(refusals))("%s", async (code, refuse) => {
    const refused = await refuse();
    expect([refused.code, refused.status], refused.text).toEqual([code, errorStatus[code as ErrorCode]]);
    if (code === "UNAUTHENTICATED") expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="keyward", charset="UTF-8"');
  });
});
