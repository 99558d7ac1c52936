import { createServer, connect, type Server, type Socket } from "node:net";

/** One client connection through the proxy, and what the test has done to it. */
export interface ProxiedConnection {
  client: Socket;
  upstream: Socket | undefined;
  /** From the PostgreSQL startup message, once it has arrived. */
  applicationName: string | undefined;
  /** Bytes in either direction are dropped and the sockets stay open: nobody is told. */
  blackHoled: boolean;
  /** Bytes the client sent into the black hole (a query it is now waiting on, say). */
  dropped: number;
}

type Match = (connection: ProxiedConnection) => boolean;

/**
 * A TCP proxy in front of PostgreSQL that a test can break for one Keyward without stopping the
 * server that other test workers use:
 * - `cut()`: every connection is reset and new ones are refused (the database is down);
 * - `blackHole(match?)`: matching connections, present and future, stay open but every byte is
 *   silently dropped (a NAT or firewall that lost its state, a failover that kept the address);
 *   `endBlackHole()` lets new connections through again, while the black-holed ones stay dead,
 *   as they would on a real network;
 * - `reset(match)`: matching connections are reset, others go on.
 * A connection is matched once its startup message is known, so tests can pick, say, the
 * listener's connection by its `application_name`.
 */
export class CuttableProxy {
  #server: Server | undefined;
  #connections = new Set<ProxiedConnection>();
  #blackHole: Match | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get connections(): ProxiedConnection[] {
    return [...this.#connections];
  }

  async open(port = this.port): Promise<void> {
    // Half-open allowed: a black hole must not answer a client's FIN with its own.
    this.#server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
    await new Promise<void>((resolve) => this.#server!.listen(port, "127.0.0.1", resolve));
    const address = this.#server.address();
    this.port = typeof address === "object" && address ? address.port : port;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    this.reset(() => true);
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }

  /** Silently drops the bytes of matching connections (all of them by default), now and from now on. */
  blackHole(match: Match = () => true): void {
    this.#blackHole = match;
    for (const connection of this.#connections) this.#judge(connection);
  }

  /** New connections pass again; those already black-holed stay so until closed. */
  endBlackHole(): void {
    this.#blackHole = undefined;
  }

  /** Resets the matching connections (the others are left alone). */
  reset(match: Match): number {
    let count = 0;
    for (const connection of this.#connections) {
      if (!match(connection)) continue;
      count++;
      connection.client.resetAndDestroy();
      connection.upstream?.destroy();
      this.#connections.delete(connection);
    }
    return count;
  }

  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = "127.0.0.1";
    url.port = String(this.port);
    return url.toString();
  }

  #accept(client: Socket): void {
    const connection: ProxiedConnection = { client, upstream: undefined, applicationName: undefined, blackHoled: false, dropped: 0 };
    this.#connections.add(connection);
    client.on("error", () => undefined);
    client.on("close", () => {
      connection.upstream?.destroy();
      this.#connections.delete(connection);
    });
    this.#judge(connection);
    if (connection.blackHoled) {
      client.on("data", (chunk) => (connection.dropped += chunk.length));
      return;
    }
    const upstream = connect({ port: this.targetPort, host: this.targetHost, allowHalfOpen: true });
    connection.upstream = upstream;
    upstream.on("error", () => undefined);
    upstream.on("close", () => {
      if (!connection.blackHoled) client.destroy();
    });
    client.on("end", () => {
      if (!connection.blackHoled) upstream.end();
    });
    upstream.on("end", () => {
      if (!connection.blackHoled) client.end();
    });
    let startup: Buffer | undefined = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      if (startup) {
        startup = Buffer.concat([startup, chunk]);
        const name = applicationName(startup);
        if (name === undefined) return;
        connection.applicationName = name;
        chunk = startup;
        startup = undefined;
        this.#judge(connection);
      }
      if (connection.blackHoled) connection.dropped += chunk.length;
      else upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!connection.blackHoled) client.write(chunk);
    });
  }

  #judge(connection: ProxiedConnection): void {
    if (connection.blackHoled || !this.#blackHole) return;
    // Matched by name only once the name is known: until then it is not the chosen one.
    if (this.#blackHole(connection)) connection.blackHoled = true;
  }
}

/**
 * The `application_name` of a PostgreSQL startup message (Int32 length, Int32 protocol, then
 * name/value pairs); `""` when it has none, `undefined` while the message is incomplete.
 */
function applicationName(message: Buffer): string | undefined {
  if (message.length < 8) return undefined;
  const length = message.readInt32BE(0);
  if (message.length < length) return undefined;
  const pairs = message.subarray(8, length).toString("utf8").split("\0");
  for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === "application_name") return pairs[i + 1];
  return "";
}
