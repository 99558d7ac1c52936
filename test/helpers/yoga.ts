import { loadConfig } from "../../server/config.ts";
import type { FailureLimiter } from "../../server/infra/rateLimit.ts";
import { createKeywardYoga } from "../../server/yoga.ts";
import { testServer } from "./server.ts";

export type Limits = { authByClient: FailureLimiter; authByKeyId: FailureLimiter; signUps: FailureLimiter };

/** A Yoga of its own with configuration changed (HTTPS, CORS, production defaults, throttling). */
export async function yogaWith(env: Record<string, string>, rateLimits: Partial<Limits> = {}) {
  const { services } = await testServer();
  const config = loadConfig({ KEYWARD_SIGNUP: "open", ...env });
  return createKeywardYoga({ ...services, config, rateLimits: { ...services.rateLimits, ...rateLimits } });
}
