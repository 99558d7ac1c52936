import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";
import { post, send } from "./helpers/http.ts";
import { yogaWith } from "./helpers/yoga.ts";

describe("GraphQL runs at /graphql and nowhere else", () => {
  it("refuses look-alike paths, where the key would not be read", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({});
    for (const path of ["/graphql/", "/x/graphql", "/mcp/graphql", "/graphqlx"]) {
      const response = await send(yoga, post(`{ viewer { role } }`, { "x-api-key": org.adminKey }), `http://keyward.test${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
    // `/` is the console's page, which takes only GET.
    expect((await send(yoga, post(`{ viewer { role } }`, { "x-api-key": org.adminKey }), "http://keyward.test/")).status).toBe(405);
    expect((await send(yoga, post(`{ viewer { role } }`, { "x-api-key": org.adminKey }))).status).toBe(200);
  });

  it("keeps probes plain probes: a query string cannot turn one into GraphQL over plain HTTP", async () => {
    const yoga = await yogaWith({ KEYWARD_REQUIRE_HTTPS: "true" });
    const sneaky = `mutation { signUp(input: { organizationName: "Cleartext", email: "clear@example.com" }) { secret } }`;
    for (const probe of ["/healthz", "/readyz", "/metrics"]) {
      const posted = await send(yoga, post(sneaky), `http://keyward.test${probe}?x=/graphql`);
      expect([probe, posted.status, posted.text]).toEqual([probe, 405, ""]);
      const probed = await send(yoga, { method: "GET" }, `http://keyward.test${probe}?x=/graphql`);
      expect([probe, probed.status, probed.text]).toEqual([probe, 400, ""]);
      expect((await send(yoga, { method: "GET" }, `http://keyward.test${probe}`)).status).toBe(200);
    }
  });
});

describe("the Node listener", () => {
  let origin: URL;
  let close: () => void;
  beforeAll(async () => {
    const served = await listen((await testServer()).yoga);
    origin = new URL(served.origin);
    close = () => served.server.close();
  });
  afterAll(() => close());

  /** One raw HTTP/1.1 request, for request-targets fetch() will not send. */
  const raw = (requestLine: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(origin.port), origin.hostname, () =>
        socket.end(`${requestLine}\r\nHost: ${origin.host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`),
      );
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
    });

  it("answers request-targets that are not paths with 400, not a stack trace", async () => {
    for (const line of ["POST http://x/graphql HTTP/1.1", "OPTIONS * HTTP/1.1", "POST //graphql HTTP/1.1"]) {
      const answer = await raw(line);
      expect(answer, line).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer, line).toMatch(/"code":"BAD_USER_INPUT"/);
      expect(answer, line).not.toMatch(/node_modules|TypeError|at /);
    }
    // A path reaches Yoga, which answers the empty GraphQL request itself.
    expect(await raw("POST /graphql HTTP/1.1")).toMatch(/Must provide query string/);
  });
});
