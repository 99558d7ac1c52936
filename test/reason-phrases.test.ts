import { STATUS_CODES, type Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { createHttpServer } from "../server/http/nodeServer.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

// The status line on the wire, read from a raw socket: every answer carries its standard reason
// phrase (`HTTP/1.1 403 Forbidden`, never `HTTP/1.1 403 `), whoever wrote it.

let server: Server;
let port: number;
beforeAll(async () => {
  const { services } = await testServer();
  const config = loadConfig({});
  server = createHttpServer(config, createKeywardYoga({ ...services, config })) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Sends `head` (and `body`) on a fresh connection and resolves with the response's status line. */
function statusLine(head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk;
      const end = received.indexOf("\r\n");
      if (end >= 0) {
        socket.destroy();
        resolve(received.slice(0, end));
      }
    });
    socket.on("error", reject);
    socket.write(`${head}\r\nHost: keyward.test\r\nConnection: close\r\n${body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : ""}\r\n${body}`);
  });
}

const query = (q: string) => JSON.stringify({ query: q });

describe("reason phrases", () => {
  it("every status Keyward answers carries its standard phrase, also those written before Yoga runs", async () => {
    const org = await seedOrganization();
    const revoked = await createKey(org.adminKey);
    const { services } = await testServer();
    await services.prisma.apiKey.update({ where: { id: revoked.id }, data: { status: "REVOKED" } });
    services.keyChanges.apply({ keyIds: [revoked.id] });
    const cases: Array<[status: number, head: string, body?: string]> = [
      [200, "GET /healthz HTTP/1.1"],
      [404, "GET /nothing-here HTTP/1.1"],
      [405, "POST / HTTP/1.1", "{}"],
      [405, "POST /metrics HTTP/1.1", "{}"],
      [401, "POST /graphql HTTP/1.1", query("{ organization { name } }")],
      [403, `POST /graphql HTTP/1.1\r\nX-API-Key: ${revoked.secret}`, query("{ organization { name } }")],
      [401, `GET /graphql?api_key=${org.adminKey} HTTP/1.1`], // refused by the Node listener, before Yoga
      [400, "GET http://keyward.test/graphql HTTP/1.1"], // ditto: not a plain path
    ];
    const lines = await Promise.all(cases.map(([, head, body]) => statusLine(head, body)));
    expect(lines).toEqual(cases.map(([status]) => `HTTP/1.1 ${status} ${STATUS_CODES[status]}`));
  });
});
