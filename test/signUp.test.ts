import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const SIGN_UP = mutation("signUp", "{ organization { id name } user { id email } secret }");

describe("signUp", () => {
  it("creates an organization whose admin key works at once", async () => {
    const email = `founder-${randomUUID()}@example.com`;
    const signed = await gql(SIGN_UP, { variables: { i: { organizationName: "Founders", email } } });
    expect(signed.data?.signUp.user.email).toBe(email);
    const viewer = await gql(`{ viewer { role organization { id } } }`, { key: signed.data?.signUp.secret });
    expect(viewer.data?.viewer).toEqual({ role: "ADMIN", organization: { id: signed.data?.signUp.organization.id } });
  });

  it("will not make a stranger the admin of an existing person's account", async () => {
    const existing = await seedOrganization();
    const name = `Squatter ${randomUUID().slice(0, 8)}`;
    const attempt = await gql(SIGN_UP, { variables: { i: { organizationName: name, email: ` ${existing.user.email.toUpperCase()} ` } } });
    expect([attempt.status, attempt.code, attempt.data?.signUp ?? null]).toEqual([200, "CONFLICT", null]);
    const { db } = await testServer();
    expect(await db.prisma.organization.count({ where: { name } })).toBe(0);
    expect(await db.prisma.membership.count({ where: { userId: existing.user.id } })).toBe(1);
  });
});
