import { KeywardError, toKeywardError } from "./errors.js";

export interface RetryPolicy {
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/**
 * Runs `attempt` and tries again, at most `maxRetries` times, only after 429 (the request was
 * refused before it ran) and, for queries, 503 (a mutation that might have run is not repeated).
 * Waits as long as `Retry-After` says, else an exponential backoff with jitter; a server asking
 * for longer than `maxRetryDelayMs` gets its error thrown at once (with `retryAfterSeconds`).
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  kind: "query" | "mutation",
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (caught) {
      if (signal?.aborted) throw caught;
      const error = toKeywardError(caught);
      if (!(error instanceof KeywardError)) throw error;
      const retryable = error.status === 429 || (error.status === 503 && kind === "query");
      if (!retryable || retry >= policy.maxRetries) throw error;
      const delay =
        error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** retry) * (0.5 + Math.random() / 2);
      if (delay > policy.maxRetryDelayMs) throw error;
      await sleep(delay, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

