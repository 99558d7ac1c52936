import { Keyward, KeywardError, type KeywardErrorCode, type KeywardFetch, type Role } from "@keyward/sdk";

/** What GET/POST/PATCH /console/session answer with (see the server's sessions). */
export interface Session {
  user: { id: string; email: string };
  organization: { id: string; name: string; slug: string };
  role: Role;
  organizations: { id: string; name: string; slug: string; role: Role }[];
  /** The product's page to go back to, when a platform's `createConsoleSession` link began the session. */
  returnUrl: string | null;
}

// Yoga's CSRF prevention and the session endpoints both want this header on every request.
const CSRF = { "x-graphql-csrf": "1" };

let signedOut: () => void = () => {};
/** Called when the server says the session is over (signed out elsewhere, expired, removed). */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

function withHeaders(init: RequestInit, credentials: RequestCredentials): RequestInit {
  return { ...init, credentials, headers: { ...Object.fromEntries(new Headers(init.headers)), ...CSRF } };
}

const sessionFetch: KeywardFetch = async (url, init) => {
  const response = await fetch(url, withHeaders(init, "same-origin"));
  if (response.status === 401) signedOut();
  return response;
};

const graphqlUrl = new URL("/graphql", location.origin).href;

/** The API as the signed-in person: the session cookie, never a key in the page. */
export const keyward = new Keyward({ url: graphqlUrl, fetch: sessionFetch });

/** Without key or session: for `acceptInvitation`, whose code is the credential. */
export const anonymous = new Keyward({ url: graphqlUrl, fetch: (url, init) => fetch(url, withHeaders(init, "omit")) });

async function sessionRequest(method: string, body?: unknown): Promise<Response> {
  try {
    return await fetch("/console/session", {
      method,
      credentials: "same-origin",
      headers: { ...CSRF, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (cause) {
    throw new KeywardError("Keyward could not be reached.", { code: "NETWORK_ERROR", cause });
  }
}

/** Keyward's one error envelope, as a KeywardError (the same class the SDK throws). */
async function refusal(response: Response): Promise<KeywardError> {
  let code: KeywardErrorCode = response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL_SERVER_ERROR";
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    const first = body.errors?.[0];
    if (first?.extensions?.code) code = first.extensions.code as KeywardErrorCode;
    if (first?.message) message = first.message;
  } catch {
    // Not Keyward's JSON (a proxy's page): the status says enough.
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return new KeywardError(message, { code, status: response.status, ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) });
}

async function sessionFrom(response: Response): Promise<Session> {
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as Session;
}

/** The current session, or null when signed out. */
export async function currentSession(): Promise<Session | null> {
  const response = await sessionRequest("GET");
  if (response.status === 401) return null;
  return sessionFrom(response);
}

/** Signs in with a one-time sign-in link's token or with a personal API key. */
export async function signIn(credential: { token: string } | { key: string }): Promise<Session> {
  return sessionFrom(await sessionRequest("POST", credential));
}

export async function switchOrganization(organizationId: string): Promise<Session> {
  return sessionFrom(await sessionRequest("PATCH", { organizationId }));
}

export async function signOut(): Promise<void> {
  const response = await sessionRequest("DELETE");
  if (!response.ok && response.status !== 401) throw await refusal(response);
}
