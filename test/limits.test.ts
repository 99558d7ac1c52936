import { getIntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../server/schema/index.ts";
import { gql, type GraphQLResponse } from "./helpers/http.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

// Every limit on what one request may ask for: the depth, directive, alias and token limits of
// GraphQL Armor (`armor` in server/yoga.ts), the page size cap and the cost limit of the complexity
// plugin (server/builder.ts). Every document refused through `expectRefused` is valid by the
// GraphQL spec's own rules (asserted with `validate`), so it is the limit, and nothing else, that
// refuses it: without the limit it would be answered.

/** Refused before anything runs, with nothing that tells the caller where the limit lies. */
function expectRefused(result: GraphQLResponse, document: string) {
  expect(validate(schema, parse(document)), "the document is otherwise valid").toEqual([]);
  expect(result.code, result.text).toBe("BAD_USER_INPUT");
  expect(result.status).toBeLessThan(500);
  expect(result.data ?? null).toBeNull();
  expect(result.text).not.toMatch(/\d/);
}

function expectAnswered(result: GraphQLResponse) {
  expect([result.status, result.errors], result.text).toEqual([200, undefined]);
  expect(result.data).toBeTruthy();
}

/**
 * A query `2 + levels` deep: `__type`, `levels` × `ofType`, then `name`. Keyward's own types
 * stop at depth 5 (`apiKeys { edges { node { owner { id } } } }`; `User`, `Organization` and
 * `Invitation` lead nowhere deeper) and none of them cycles, so the only valid documents deeper
 * than 10 go through introspection's `__Type.ofType` cycle. Armor skips `__schema` but counts
 * `__type`. With `hideIn: "fragments"` every level hides behind a named fragment or an inline
 * fragment in turn, which Armor (`flattenFragments: true`) counts through without adding a level.
 */
function deepQuery(levels: number, hideIn: "fields" | "fragments" = "fields"): string {
  let inner = "name";
  const fragments: string[] = [];
  for (let level = levels; level >= 1; level--) {
    const wrapped = `ofType { ${inner} }`;
    if (hideIn === "fields") inner = wrapped;
    else if (level % 2 === 0) {
      fragments.push(`fragment Level${level} on __Type { ${wrapped} }`);
      inner = `...Level${level}`;
    } else inner = `... on __Type { ${wrapped} }`;
  }
  return `query Deep { __type(name: "ApiKey") { name ${inner} } } ${fragments.join(" ")}`;
}

describe("query depth", () => {
  it("refuses a document deeper than 10 and answers one exactly 10 deep", async () => {
    const org = await seedOrganization();
    const atLimit = await gql(deepQuery(8), { key: org.adminKey });
    expectAnswered(atLimit);
    expect(atLimit.data?.__type.name).toBe("ApiKey");
    for (const levels of [9, 40]) {
      const document = deepQuery(levels);
      expectRefused(await gql(document, { key: org.adminKey }), document);
    }
  });

  it("counts the depth hidden in named and inline fragments", async () => {
    const org = await seedOrganization();
    expectAnswered(await gql(deepQuery(8, "fragments"), { key: org.adminKey }));
    const document = deepQuery(9, "fragments");
    expect(document).toMatch(/fragment Level\d+ on __Type/);
    expect(document).toMatch(/\.\.\. on __Type/);
    expectRefused(await gql(document, { key: org.adminKey }), document);
  });

  it("answers real clients: the deepest Keyward path wrapped in many fragments, and GraphiQL's introspection query", async () => {
    const org = await seedOrganization();
    // Fragments are not levels, so however a client arranges its fragments, the depth is that of its fields.
    const wrapped = Array.from({ length: 12 }, (_, i) => i).reduceRight(
      (inner, i) => (i % 2 ? `... on ApiKey { ${inner} }` : `...on ApiKey @include(if: true) { ${inner} }`),
      "...Owner",
    );
    const deepest = await gql(
      `{ apiKeys(first: 1) { edges { node { ${wrapped} } } } } fragment Owner on ApiKey { owner { id email } createdBy { id } }`,
      { key: org.adminKey },
    );
    expectAnswered(deepest);
    expect(deepest.data?.apiKeys.edges[0].node.owner.id).toBe(org.user.id);
    // Its TypeRef fragment nests `ofType` deeper than 10, under `__schema`, which the limit skips.
    expectAnswered(await gql(getIntrospectionQuery(), { key: org.adminKey }));
  });
});

describe("directives", () => {
  /** `count` directives on fields, an inline fragment, a fragment spread and inside the fragment. */
  const withDirectives = (count: number) => {
    const extra = Array.from({ length: count - 7 }, () => "role @include(if: $yes)").join(" ");
    return `query Directives($yes: Boolean = true) {
      viewer {
        role @include(if: $yes) ${extra}
        ... on Viewer @include(if: $yes) { scopes @skip(if: false) }
        ...Who @include(if: $yes)
      }
    }
    fragment Who on Viewer { user @include(if: $yes) { id @include(if: $yes) } organization @skip(if: false) { name } }`;
  };

  it("refuses more than 10 and answers 10, wherever they are written", async () => {
    const org = await seedOrganization();
    const ten = await gql(withDirectives(10), { key: org.adminKey });
    expectAnswered(ten);
    expect(ten.data?.viewer).toMatchObject({ role: "ADMIN", user: { id: org.user.id }, organization: { name: org.organization.name } });
    for (const count of [11, 60]) {
      const document = withDirectives(count);
      expectRefused(await gql(document, { key: org.adminKey }), document);
    }
  });

  it("counts a fragment's directives once per spread", async () => {
    const org = await seedOrganization();
    const spreads = (n: number) => `{ viewer { ${"...Role ".repeat(n)} } } fragment Role on Viewer { role @include(if: true) }`;
    expectAnswered(await gql(spreads(10), { key: org.adminKey }));
    expectRefused(await gql(spreads(11), { key: org.adminKey }), spreads(11));
  });

  it("refuses a mutation with too many directives before it runs", async () => {
    const org = await seedOrganization();
    const name = `refused ${crypto.randomUUID()}`;
    const document = `mutation {
      createApiKey(input: { name: "${name}" }) {
        apiKey { ${Array.from({ length: 11 }, () => "id @include(if: true)").join(" ")} }
        secret
      }
    }`;
    expectRefused(await gql(document, { key: org.adminKey }), document);
    const keys = await gql(`{ apiKeys(first: 100) { edges { node { name } } } }`, { key: org.adminKey });
    expect(keys.data?.apiKeys.edges.map((e: { node: { name: string } }) => e.node.name)).not.toContain(name);
  });
});

describe("aliases", () => {
  it("counts the aliases in named and inline fragments: 16 are refused, 15 answered; a bomb of 50 is refused without revealing the limit", async () => {
    const org = await seedOrganization();
    const aliases = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}: role`).join(" ");
    const document = (inFragment: number) =>
      `{ viewer { ...Aliased ... on Viewer { ${aliases("b", 8)} } } } fragment Aliased on Viewer { ${aliases("a", inFragment)} }`;
    const fifteen = await gql(document(7), { key: org.adminKey });
    expectAnswered(fifteen);
    expect(Object.keys(fifteen.data?.viewer)).toHaveLength(15);
    expectRefused(await gql(document(8), { key: org.adminKey }), document(8));

    const bomb = await gql(`{ ${Array.from({ length: 50 }, (_, i) => `a${i}: viewer { scopes }`).join(" ")} }`, { key: org.adminKey });
    expect([bomb.status, bomb.code]).toEqual([200, "BAD_USER_INPUT"]);
    expect(bomb.text).not.toMatch(/\b15\b/);
  });
});

describe("tokens", () => {
  it("refuses a document of too many tokens with BAD_USER_INPUT, not a 5xx", async () => {
    const org = await seedOrganization();
    const tokens = await gql(`{ ${"__typename ".repeat(5_000)} }`, { key: org.adminKey });
    expect(tokens.code).toBe("BAD_USER_INPUT");
    expect(tokens.status).toBeLessThan(500);
  });
});

describe("page sizes and cost", () => {
  it("caps every connection at 100 per page, however large the page asked for", async () => {
    const org = await seedOrganization();
    const { db } = await testServer();
    await db.prisma.apiKey.createMany({
      data: Array.from({ length: 105 }, (_, i) => ({
        id: `cap${org.apiKey.id.slice(0, 5)}${String(i).padStart(4, "0")}`,
        organizationId: org.organization.id,
        kind: "SERVICE" as const,
        name: `bulk ${i}`,
        environment: "LIVE" as const,
        scopes: [],
        secretHash: "0".repeat(64),
        lastFour: "0000",
      })),
    });
    for (const first of [101, 100_000]) {
      const page = await gql(`{ apiKeys(first: ${first}) { edges { node { id } } } }`, { key: org.adminKey });
      expect(page.status).toBe(200);
      expect(page.data?.apiKeys.edges).toHaveLength(100);
    }
    for (const connection of ["members", "auditEvents"]) {
      const page = await gql(`query($n: Int) { ${connection}(first: $n) { edges { __typename } } }`, { key: org.adminKey, variables: { n: 1e9 } });
      expect([page.status, page.errors], connection).toEqual([200, undefined]);
    }
  });

  it("counts page sizes given as variables, and serves a full page of keys with every field", async () => {
    const org = await seedOrganization();
    const everything = `edges { node { id name kind environment status scopes maskedKey createdAt expiresAt lastUsedAt usedInLast24Hours owner { id email } createdBy { id email } } } pageInfo { hasNextPage endCursor }`;
    const full = await gql(`{ apiKeys(first: 100) { ${everything} } }`, { key: org.adminKey });
    expect([full.status, full.errors]).toEqual([200, undefined]);

    const pages = Array.from({ length: 15 }, (_, i) => `p${i}: apiKeys(first: $n) { ${everything} }`).join(" ");
    for (const [query, variables] of [
      [`query($n: Int) { ${pages} }`, { n: 100 }],
      [`query { ${pages.replaceAll("$n", "100")} }`, {}],
    ] as const) {
      const costly = await gql(query, { key: org.adminKey, variables });
      expect([costly.status, costly.code, costly.data ?? null]).toEqual([200, "BAD_USER_INPUT", null]);
      expect(costly.text).not.toMatch(/\d{4,}/); // the limit is not revealed
    }
    // The same fifteen aliases at the default page size are within bounds.
    const small = await gql(`query($n: Int) { ${pages} }`, { key: org.adminKey, variables: { n: 20 } });
    expect([small.status, small.errors]).toEqual([200, undefined]);
  });
});
