import type { Plugin } from "graphql-yoga";
import type { Config } from "../config.ts";
import { errorResponse, KeywardError } from "../errors.ts";
import { isSecure, type ServerContext } from "./request.ts";
import { PROBE_PATHS } from "./routes.ts";

/** With KEYWARD_REQUIRE_HTTPS, plain HTTP is refused before anything else, the key included. */
export function useHttpsRequired(config: Config): Plugin<{}, ServerContext> {
  return {
    onRequest({ request, url, endResponse, serverContext }) {
      // Probes and scrapers speak plain HTTP inside the deployment's network.
      if (!config.requireHttps || PROBE_PATHS.has(url.pathname)) return;
      if (isSecure(request, serverContext, config.trustProxy)) return;
      endResponse(errorResponse(new KeywardError("HTTPS_REQUIRED", "This Keyward accepts HTTPS only.")));
    },
  };
}
