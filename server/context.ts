import type { YogaInitialContext } from "graphql-yoga";
import type { PlatformPrincipal, Principal } from "./auth/principal.ts";
import { describeRequest, type RequestInfo, type ServerContext } from "./http/request.ts";
import type { Services } from "./services.ts";

export type { RequestInfo } from "./http/request.ts";

interface BaseContext extends Services {
  requestInfo: RequestInfo;
}

export interface AnonymousContext extends BaseContext {
  principal: null;
  platform: null;
}

/** An organization's key (or a console session): everything it does is inside its organization. */
export interface AuthenticatedContext extends BaseContext {
  principal: Principal;
  platform: null;
}

/** A platform key: no organization of its own; it names the organization it acts on. */
export interface PlatformContext extends BaseContext {
  principal: null;
  platform: PlatformPrincipal;
}

export type Context = AnonymousContext | AuthenticatedContext | PlatformContext;

/**
 * The key was resolved once, before parsing (server/auth/plugin.ts), into the server context:
 * a key that is present but not valid never gets here. No key gives an anonymous context,
 * which scope-auth turns into 401 on every field that needs one.
 */
export function contextFactory(services: Services) {
  return (initial: YogaInitialContext & ServerContext): Context => {
    const requestInfo = initial.requestInfo ?? describeRequest(initial.request, initial, services.config.trustProxy);
    const principal = initial.principal ?? null;
    if (principal) return { ...services, requestInfo, principal, platform: null };
    if (initial.platform) return { ...services, requestInfo, principal: null, platform: initial.platform };
    return { ...services, requestInfo, principal: null, platform: null };
  };
}
