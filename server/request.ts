/** What the Node adapter adds to Yoga's server context (absent under `yoga.fetch`). */
export interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
}

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

/**
 * The client's address: the socket's, or, behind a trusted proxy, the `X-Forwarded-For` entry
 * that proxy appended: the last. Earlier entries are whatever the client sent, so throttling by
 * them would let a client pick a new address per request.
 */
export function clientAddress(request: Request, server: NodeServerContext | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy ? lastEntry(request.headers.get("x-forwarded-for")) : undefined;
  return (forwarded || server?.req?.socket?.remoteAddress || "unknown").slice(0, 64);
}

export function describeRequest(request: Request, server: NodeServerContext | undefined, trustProxy: boolean): RequestInfo {
  const ip = clientAddress(request, server, trustProxy);
  return { ip: ip === "unknown" ? null : ip, userAgent: request.headers.get("user-agent")?.slice(0, 256) ?? null };
}

/** Arrived over TLS: our own, or a trusted proxy's (`X-Forwarded-Proto: https`). */
export function isSecure(request: Request, server: NodeServerContext | undefined, trustProxy: boolean): boolean {
  if (server?.req?.socket?.encrypted || new URL(request.url).protocol === "https:") return true;
  return trustProxy && lastEntry(request.headers.get("x-forwarded-proto"))?.toLowerCase() === "https";
}

/** The entry the nearest (trusted) proxy added to a comma-separated forwarding header. */
function lastEntry(header: string | null): string | undefined {
  return header?.split(",").at(-1)?.trim() || undefined;
}
