import { startSession, type Member } from "../../server/auth/sessions.ts";
import { GRAPHQL_URL, request, type Fetcher } from "./http.ts";
import { testServer } from "./server.ts";

export const ORIGIN = new URL(GRAPHQL_URL).origin;
export const SESSION_URL = `${ORIGIN}/console/session`;
/** What the console page sends with every request: its own origin and the CSRF header. */
export const OWN_PAGE: Readonly<Record<string, string>> = { origin: ORIGIN, "x-graphql-csrf": "1" };

/** A console session's cookie for `member`, started as signing in would (whether or not they are still a member). */
export async function sessionCookie(member: Member): Promise<string> {
  const { db, config } = await testServer();
  return `keyward_session=${await startSession(db.prisma, config, member)}`;
}

/** A GraphQL request as the console makes it: the session's cookie, the CSRF header, its own origin. */
export const asConsole = (
  yoga: Fetcher,
  cookie: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = OWN_PAGE,
) => request(yoga, query, { variables, headers: { cookie, ...headers } });
