import type { Plugin } from "graphql-yoga";
import { keyInUrl } from "../auth/headers.ts";
import type { Logger } from "../infra/logger.ts";

interface Logged {
  started: number;
  path: string;
  operation: string | null;
}

const UNLOGGED: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

/** One JSON line per request: method, path, operation, status, duration (keys never: see logger.ts). */
export function useRequestLog(logger: Logger): Plugin {
  const requests = new WeakMap<Request, Logged>();
  return {
    onRequest({ request, url }) {
      if (!UNLOGGED.has(url.pathname)) requests.set(request, { started: performance.now(), path: url.pathname, operation: null });
    },
    onParams({ request, params }) {
      const logged = requests.get(request);
      // Whatever the body said: not necessarily a string.
      if (logged && typeof params.operationName === "string") logged.operation = params.operationName.slice(0, 100);
    },
    onResponse({ request, response }) {
      // Yoga's CORS preflight and GraphiQL page answer before any plugin's onRequest: logged without a duration.
      const logged = requests.get(request) ?? unseen(request);
      if (!logged) return;
      logger.info("request", {
        method: request.method,
        // Refused, and not written down: the logger's redaction cannot see through percent-encoding.
        path: keyInUrl(logged.path) ? "(key in URL)" : logged.path,
        operation: logged.operation,
        status: response.status,
        ms: Number.isNaN(logged.started) ? null : Math.round((performance.now() - logged.started) * 10) / 10,
      });
    },
  };
}

function unseen(request: Request): Logged | undefined {
  const path = new URL(request.url).pathname;
  return UNLOGGED.has(path) ? undefined : { started: NaN, path, operation: null };
}
