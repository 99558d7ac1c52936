import type { Plugin } from "graphql-yoga";
import { keyInUrl } from "../auth/headers.ts";
import type { Logger } from "../infra/logger.ts";

/** One JSON line per request: method, path, operation, status, duration (keys never: see logger.ts). */
export function useRequestLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, string>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onParams({ request, params }) {
      // Whatever the body said: not necessarily a string.
      if (typeof params.operationName === "string") operations.set(request, params.operationName.slice(0, 100));
    },
    onResponse({ request, response }) {
      const start = started.get(request);
      const path = new URL(request.url).pathname;
      if (path === "/healthz" || path === "/readyz" || path === "/metrics") return;
      logger.info("request", {
        method: request.method,
        // Refused, and not written down: the logger's redaction cannot see through percent-encoding.
        path: keyInUrl(path) ? "(key in URL)" : path,
        operation: operations.get(request) ?? null,
        status: response.status,
        ms: start === undefined ? null : Math.round((performance.now() - start) * 10) / 10,
      });
    },
  };
}
