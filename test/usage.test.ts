import { describe, expect, it } from "vitest";
import { gql } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

describe("apiKeyUsage", () => {
  it("counts requests per UTC day, including uses not flushed yet", async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey, {});
    for (let i = 0; i < 3; i++) await gql(`{ __typename }`, { key: secret });
    const today = new Date();
    const from = new Date(today.getTime() - 2 * 86_400_000);
    const usageQuery = `query($id: ID!, $from: DateTime!, $to: DateTime!) { apiKeyUsage(id: $id, from: $from, to: $to) { date requests } }`;
    const read = async () => (await gql(usageQuery, { key: org.adminKey, variables: { id, from, to: today } })).data?.apiKeyUsage;
    const day = (d: Date) => d.toISOString().slice(0, 10);
    expect(await read()).toEqual([
      { date: day(from), requests: 0 },
      { date: day(new Date(today.getTime() - 86_400_000)), requests: 0 },
      { date: day(today), requests: 3 },
    ]);
    const { usage } = await testServer();
    await usage.flush();
    await gql(`{ __typename }`, { key: secret });
    expect((await read()).at(-1)).toEqual({ date: day(today), requests: 4 });

    const backwards = await gql(usageQuery, { key: org.adminKey, variables: { id, from: today, to: from } });
    expect(backwards.code).toBe("BAD_USER_INPUT");
    const tooLong = await gql(usageQuery, { key: org.adminKey, variables: { id, from: "2020-01-01T00:00:00Z", to: today } });
    expect(tooLong.code).toBe("BAD_USER_INPUT");
  });
});
