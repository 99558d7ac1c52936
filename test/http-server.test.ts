import type { Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { createLogger } from "../server/infra/logger.ts";
import { createHttpServer } from "../server/http/nodeServer.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

// The Node server main.ts listens with, built from configuration, on a real port.

const servers: Array<Server | HttpsServer> = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** What the server logged at warn and above: a client's slowness is not an incident. */
const logged: string[] = [];

async function serve(env: Record<string, string>) {
  const { services } = await testServer();
  const config = loadConfig(env);
  const server = createHttpServer(config, createKeywardYoga({ ...services, config, logger: createLogger("warn", (line) => logged.push(line)) }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

/** A raw client: what it received, and when the server closed it (ms after opening). */
function rawClient(port: number) {
  const opened = Date.now();
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => (received += chunk));
  socket.on("error", () => undefined); // a reset is one of the ways to be closed
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.on("close", () => resolve({ afterMs: Date.now() - opened, received })),
  );
  return { socket, closed, connected: new Promise<void>((resolve) => socket.on("connect", () => resolve())) };
}

/** Resolves with `promise`'s value, or with "still open" after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"still open">((resolve) => setTimeout(() => resolve("still open"), ms))]);

describe("slow clients", () => {
  it("a body trickling in at a byte per 100 ms is cut off at the request timeout (408), not held for minutes", async () => {
    const org = await seedOrganization();
    const { port } = await serve({ KEYWARD_REQUEST_TIMEOUT_MS: "500", KEYWARD_HEADERS_TIMEOUT_MS: "500" });
    for (const path of ["/graphql", "/mcp"]) {
      const client = rawClient(port);
      await client.connected;
      client.socket.write(
        `POST ${path} HTTP/1.1\r\nHost: keyward.test\r\nX-API-Key: ${org.adminKey}\r\nAccept: application/json, text/event-stream\r\n` +
          "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
      );
      const drip = setInterval(() => client.socket.writable && client.socket.write(" "), 100);
      const outcome = await within(client.closed, 5_000);
      clearInterval(drip);
      client.socket.destroy();
      expect([path, outcome]).not.toEqual([path, "still open"]);
      const { received } = outcome as { received: string };
      // Answered 408 (or just closed), never a 5xx or a stack trace.
      if (received) expect(received, path).toMatch(/^HTTP\/1\.1 408 /);
      expect(received, path).not.toMatch(/HTTP\/1\.1 5\d\d|node_modules|at /);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(logged.filter((line) => JSON.parse(line).level === "error")).toEqual([]);
  });

  it("headers trickling in are cut off at the headers timeout", async () => {
    const { port } = await serve({ KEYWARD_REQUEST_TIMEOUT_MS: "2000", KEYWARD_HEADERS_TIMEOUT_MS: "500" });
    const client = rawClient(port);
    await client.connected;
    client.socket.write("GET /healthz HTTP/1.1\r\nHost: keyward.test\r\n");
    const drip = setInterval(() => client.socket.writable && client.socket.write("X-Slow: 1\r\n"), 100);
    const outcome = await within(client.closed, 5_000);
    clearInterval(drip);
    client.socket.destroy();
    expect(outcome).not.toBe("still open");
    const { received } = outcome as { received: string };
    if (received) expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a connection beyond KEYWARD_MAX_CONNECTIONS is closed at once; the others are served", async () => {
    const { server, port } = await serve({ KEYWARD_MAX_CONNECTIONS: "2" });
    let accepted = 0;
    server.on("connection", () => accepted++);
    const held = [rawClient(port), rawClient(port)];
    await Promise.all(held.map((c) => c.connected));
    for (let waited = 0; accepted < 2 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(accepted).toBe(2);

    const beyond = rawClient(port);
    beyond.socket.write("GET /healthz HTTP/1.1\r\nHost: keyward.test\r\n\r\n");
    const outcome = await within(beyond.closed, 5_000);
    expect(outcome).not.toBe("still open");
    expect((outcome as { received: string }).received).toBe("");

    // The held connections are still served.
    const answered = new Promise<string>((resolve) => held[0]!.socket.once("data", (chunk) => resolve(String(chunk))));
    held[0]!.socket.write("GET /healthz HTTP/1.1\r\nHost: keyward.test\r\n\r\n");
    expect(await within(answered, 5_000)).toMatch(/^HTTP\/1\.1 200 /);
    for (const c of held) c.socket.destroy();
  });
});
