import type { YogaInitialContext } from "graphql-yoga";
import type { Principal } from "./auth/principal.ts";
import { describeRequest, type RequestInfo, type ServerContext } from "./http/request.ts";
import type { Services } from "./services.ts";

export type { RequestInfo } from "./http/request.ts";

interface BaseContext extends Services {
  requestInfo: RequestInfo;
}

export interface AnonymousContext extends BaseContext {
  principal: null;
}

export interface AuthenticatedContext extends BaseContext {
  principal: Principal;
}

export type Context = AnonymousContext | AuthenticatedContext;

/**
 * The key was resolved once, before parsing (server/auth/plugin.ts), into the server context:
 * a key that is present but not valid never gets here. No key gives an anonymous context,
 * which scope-auth turns into 401 on every field that needs one.
 */
export function contextFactory(services: Services) {
  return (initial: YogaInitialContext & ServerContext): Context => {
    const requestInfo = initial.requestInfo ?? describeRequest(initial.request, initial, services.config.trustProxy);
    const principal = initial.principal ?? null;
    return principal ? { ...services, requestInfo, principal } : { ...services, requestInfo, principal: null };
  };
}
