import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

describe("auditEvents", () => {
  it("records every lifecycle change with its actor, newest first, filterable by key and action", async () => {
    const org = await seedOrganization();
    const { id } = await createKey(org.adminKey, { name: "audited" });
    const op = (name: string, input: Record<string, unknown>) =>
      gql(mutation(name), {
        key: org.adminKey,
        variables: { i: input },
      });
    await op("renameApiKey", { id, name: "audited-2" });
    await op("disableApiKey", { id });
    await op("enableApiKey", { id });
    await op("rotateApiKey", { id });
    await op("revokeApiKey", { id });
    await op("deleteApiKey", { id });

    const events = await gql(
      `query($id: ID) { auditEvents(apiKeyId: $id) { edges { node { action actorKeyId actorUserId targetId metadata } } } }`,
      { key: org.adminKey, variables: { id } },
    );
    const nodes = events.data?.auditEvents.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.action)).toEqual([
      "API_KEY_DELETED",
      "API_KEY_REVOKED",
      "API_KEY_ROTATED",
      "API_KEY_ENABLED",
      "API_KEY_DISABLED",
      "API_KEY_RENAMED",
      "API_KEY_CREATED",
    ]);
    for (const node of nodes) {
      expect(node).toMatchObject({ actorKeyId: org.apiKey.id, actorUserId: org.user.id, targetId: id });
    }
    expect(nodes[5].metadata).toEqual({ from: "audited", to: "audited-2" });

    const renames = await gql(`{ auditEvents(action: API_KEY_RENAMED) { edges { node { targetId } } } }`, { key: org.adminKey });
    expect(renames.data?.auditEvents.edges).toEqual([{ node: { targetId: id } }]);
  });

  it("is not written when the change fails", async () => {
    const org = await seedOrganization();
    const bad = await gql(`mutation { createApiKey(input: { name: "" }) { secret } }`, { key: org.adminKey });
    expect(bad.code).toBe("BAD_USER_INPUT");
    const events = await gql(`{ auditEvents { edges { node { action } } } }`, { key: org.adminKey });
    expect(events.data?.auditEvents.edges.map((e: any) => e.node.action)).toEqual(["API_KEY_CREATED", "ORGANIZATION_CREATED"]);
  });
});
