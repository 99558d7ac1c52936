import { readFileSync } from "node:fs";
import { createServer, type Server, type ServerOptions } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { Config } from "../config.ts";
import { nodeListener } from "./routes.ts";
import type { KeywardYoga } from "../yoga.ts";

/**
 * The Node server Keyward listens with (its own TLS, or plain HTTP), with limits against slow
 * and hoarding clients. Node's defaults hold a request whose body arrives at a byte a second for
 * 300 s and take any number of connections, so a few hundred such clients exhaust a process:
 * - headers must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`
 *   (then Node answers 408 and closes); neither limits how long Keyward takes to answer;
 * - an idle keep-alive connection is closed after `keepAliveTimeoutMs`;
 * - past `maxConnections` open connections, new ones are closed at once.
 */
export function createHttpServer(config: Config, yoga: KeywardYoga): Server | HttpsServer {
  const options: ServerOptions = {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node looks for expired requests every 30 s by default, so a 10 s limit could take 40 s
    // to act on; a quarter of the shorter limit (at most a second) keeps it close to exact.
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(config.headersTimeoutMs / 4))),
  };
  const listener = nodeListener(yoga);
  const server = config.tls
    ? createHttpsServer({ ...options, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, listener)
    : createServer(options, listener);
  server.maxConnections = config.maxConnections;
  return server;
}
