import { startKeyward, type Keyward } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createLogger } from "../../server/infra/logger.ts";
import { CuttableProxy } from "./cuttable-proxy.ts";
import { send, type GraphQLResponse } from "./http.ts";

/** `status` 0 and `code` "NO_ANSWER": no answer within the deadline. */
export interface Answer extends GraphQLResponse {
  ms: number;
}

export interface ProxiedKeyward {
  proxy: CuttableProxy;
  keyward: Keyward;
  /** Log lines the instance wrote (warn and above). */
  logs: string[];
  /** A GraphQL request (or a GET of `path` without `query`), given up on after `deadlineMs`. */
  ask(path: string, query?: string, key?: string, variables?: Record<string, unknown>, deadlineMs?: number): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * A Keyward of its own (as `npm start` builds it, with `env` as its configuration) on the
 * test PostgreSQL, reached through a proxy the test can break without disturbing the database
 * other test workers share.
 */
export async function proxiedKeyward(env: Record<string, string> = {}): Promise<ProxiedKeyward> {
  const target = new URL(process.env.DATABASE_URL!);
  const proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
  await proxy.open();
  const logs: string[] = [];
  const config = loadConfig({ ...env, DATABASE_URL: proxy.urlFor(process.env.DATABASE_URL!) });
  const keyward = await startKeyward(config, createLogger("warn", (line) => logs.push(line)));
  const ask: ProxiedKeyward["ask"] = async (path, query, key, variables, deadlineMs = 15_000) => {
    const started = performance.now();
    const answer = send(
      keyward.yoga,
      {
        method: query ? "POST" : "GET",
        headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
        body: query ? JSON.stringify({ query, variables }) : undefined,
      },
      `http://keyward.test${path}`,
    ).then((answer): Answer => ({ ...answer, ms: performance.now() - started }));
    let timer: NodeJS.Timeout | undefined;
    const none = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => resolve({ status: 0, headers: new Headers(), text: "", body: undefined, data: undefined, errors: undefined, code: "NO_ANSWER", ms: deadlineMs }), deadlineMs);
    });
    try {
      return await Promise.race([answer, none]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    proxy,
    keyward,
    logs,
    ask,
    close: async () => {
      await proxy.cut();
      await Promise.race([keyward.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(() => undefined);
    },
  };
}

/** Polls `probe` every `everyMs` until `done` holds or `withinMs` passes; returns the last result and when it came. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, withinMs: number, everyMs = 100) {
  const started = performance.now();
  let value = await probe();
  while (!done(value) && performance.now() - started < withinMs) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await probe();
  }
  return { value, ms: performance.now() - started, seen: done(value) };
}
