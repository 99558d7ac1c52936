import { loadConfig } from "../../server/config.ts";
import type { FailureLimiter } from "../../server/infra/rateLimit.ts";
import { createKeywardYoga, type KeywardYoga } from "../../server/yoga.ts";
import { testServer } from "./server.ts";

export type Limits = { authByClient: FailureLimiter; authByKeyId: FailureLimiter; signUps: FailureLimiter };

/** A Yoga of its own with configuration changed (HTTPS, CORS, production defaults, throttling). */
export async function yogaWith(env: Record<string, string>, rateLimits: Partial<Limits> = {}) {
  const { services } = await testServer();
  const config = loadConfig({ KEYWARD_SIGNUP: "open", ...env });
  return createKeywardYoga({ ...services, config, rateLimits: { ...services.rateLimits, ...rateLimits } });
}

export async function send(yoga: KeywardYoga, init: RequestInit, url = "http://keyward.test/graphql") {
  const response = await yoga.fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, code: body?.errors?.[0]?.extensions?.code, text };
}

export const post = (query: string, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ query }),
});
