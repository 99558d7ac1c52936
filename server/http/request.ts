import type { IncomingMessage, ServerResponse } from "node:http";
import { isIPv4, isIPv6 } from "node:net";
import type { PlatformPrincipal, Principal } from "../auth/principal.ts";

export interface RequestInfo {
  /** `null` when not known (no socket under `yoga.fetch`, or a proxy that says `unknown`). */
  ip: string | null;
  userAgent: string | null;
}

/** Stands for every client whose address is not known: they share one throttle. */
const UNKNOWN = "unknown";

/**
 * Yoga's server context (`createYoga<ServerContext, Context>`): what reaches Keyward with each
 * request before any GraphQL runs. Only the process that serves Keyward sets it, never an HTTP
 * client. The context factory (server/context.ts) builds each operation's context from it.
 */
export interface ServerContext {
  /** Node's request and response, when Keyward is served by Node; absent under `yoga.fetch`. */
  req?: IncomingMessage;
  res?: ServerResponse;
  /**
   * Who the request speaks for (`null`: no key), resolved once by the authentication plugin
   * (server/auth/plugin.ts) before the body is parsed. An in-process caller (an MCP tool call,
   * see server/mcp/endpoint.ts) arrives with it already set, with `requestInfo`: the operation
   * then goes through everything else (scopes, limits, audit) as that caller, and is not counted
   * as a second use of the key.
   */
  principal?: Principal | null;
  /** A platform key's caller (then `principal` is `null`), set by the same plugin. */
  platform?: PlatformPrincipal;
  /** The in-process caller's own client details; otherwise read from the request. */
  requestInfo?: RequestInfo;
}

/** The server context of an in-process operation (an MCP tool call): a caller Keyward already authenticated. */
export interface InProcessCaller extends ServerContext {
  principal: Principal;
  requestInfo: RequestInfo;
}

/**
 * The client's address (`null`: not known): the socket's, or, behind a trusted proxy, the
 * `X-Forwarded-For` entry that proxy appended: the last. Earlier entries are whatever the client
 * sent, so throttling by them would let a client pick a new address per request. A proxy that
 * does not know the address says `unknown` (RFC 7239).
 */
function clientAddress(request: Request, server: ServerContext, trustProxy: boolean): string | null {
  const forwarded = trustProxy ? lastEntry(request.headers.get("x-forwarded-for")) : undefined;
  const address = (forwarded || server.req?.socket?.remoteAddress)?.slice(0, 64);
  return address && address !== UNKNOWN ? address : null;
}

/** Who a throttle counts this request as: its client address, by network (see `throttlingKey`). */
export function throttledClient(request: Request, server: ServerContext, trustProxy: boolean): string {
  return throttlingKey(clientAddress(request, server, trustProxy));
}

/**
 * The unit a throttle counts (`RequestInfo.ip` goes in as it is). IPv4: the address. IPv6: its
 * /64, the network one subscriber is given, in which a client picks any of 2^64 addresses (600
 * wrong keys from 40 addresses of one /64 were never throttled per address). An IPv4-mapped
 * address (`::ffff:a.b.c.d`, as dual-stack sockets report IPv4 clients) is its IPv4 address.
 * No address: all such clients together. Anything else is counted as written.
 */
export function throttlingKey(address: string | null): string {
  if (address === null) return UNKNOWN;
  // `[v6]:port` and `v4:port` (some proxies add the port), and a zone id (`fe80::1%eth0`).
  const bare = address.replace(/^\[([^\]]*)\](?::\d+)?$/, "$1").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1").replace(/%.*$/, "");
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return address;
  const words = ipv6Words(bare);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return [words[6]! >> 8, words[6]! & 255, words[7]! >> 8, words[7]! & 255].join(".");
  }
  return `${words.slice(0, 4).map((w) => w.toString(16)).join(":")}::/64`;
}

/** A valid IPv6 address (`isIPv6`) as its eight 16-bit words. */
function ipv6Words(address: string): number[] {
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) is the last two words.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted
    ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}`
    : address;
  const [head = "", tail] = hex.split("::");
  const words = (part: string) => (part === "" ? [] : part.split(":").map((word) => Number.parseInt(word, 16)));
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

export function describeRequest(request: Request, server: ServerContext, trustProxy: boolean): RequestInfo {
  return { ip: clientAddress(request, server, trustProxy), userAgent: request.headers.get("user-agent")?.slice(0, 256) ?? null };
}

/** Arrived over TLS: our own, or a trusted proxy's (`X-Forwarded-Proto: https`). */
export function isSecure(request: Request, server: ServerContext, trustProxy: boolean): boolean {
  const socket = server.req?.socket;
  if ((socket && "encrypted" in socket && socket.encrypted) || new URL(request.url).protocol === "https:") return true;
  return trustProxy && lastEntry(request.headers.get("x-forwarded-proto"))?.toLowerCase() === "https";
}

/** The entry the nearest (trusted) proxy added to a comma-separated forwarding header. */
function lastEntry(header: string | null): string | undefined {
  return header?.split(",").at(-1)?.trim() || undefined;
}

/**
 * A browser's own request to this Keyward, as cookie-authenticated requests must be: its
 * `Origin` is Keyward's (as the request reached it, or as `KEYWARD_PUBLIC_URL` says behind a
 * proxy), and it carries the CSRF header, which no cross-site form or simple request can set.
 */
export function fromOwnPage(request: Request, publicUrl: string): boolean {
  if (!request.headers.get("x-graphql-csrf")) return false;
  const origin = request.headers.get("origin");
  return origin !== null && (origin === new URL(request.url).origin || origin === new URL(publicUrl).origin);
}
