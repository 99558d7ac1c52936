import { Counter, Gauge, Registry } from "prom-client";
import type { KeyCache } from "../auth/cache.ts";

export interface Metrics {
  registry: Registry;
  /** One authentication attempt: `valid`, `anonymous`, `rate_limited`, or the refusal code in lower case. */
  authentication(outcome: string): void;
}

/**
 * Keyward's own metrics, beside Yoga's request metrics, in one registry per server. Disabled
 * (`KEYWARD_METRICS=false`): an empty registry, and nothing is counted.
 */
export function createMetrics(cache: KeyCache, enabled = true): Metrics {
  const registry = new Registry();
  if (!enabled) return { registry, authentication: () => undefined };
  // The process's memory, read at scrape time, under prom-client's default names (its full default
  // set is not used: series labelled by handle type or GC kind come and go).
  for (const [name, help, read] of [
    ["process_resident_memory_bytes", "Resident memory size in bytes.", () => process.memoryUsage.rss()],
    ["nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes.", () => process.memoryUsage().heapTotal],
    ["nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes.", () => process.memoryUsage().heapUsed],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
  const authentications = new Counter({
    name: "keyward_authentications_total",
    help: "Authentication attempts by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const [name, help, read] of [
    ["keyward_key_cache_hits_total", "Key verifications answered from memory.", () => cache.hits],
    ["keyward_key_cache_misses_total", "Key verifications that read the database.", () => cache.misses],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
  // One child per outcome, bound once: inc() on the hot path does no label lookup.
  const byOutcome = new Map<string, { inc(): void }>();
  const authentication = (outcome: string) => {
    let counter = byOutcome.get(outcome);
    if (!counter) byOutcome.set(outcome, (counter = authentications.labels(outcome)));
    counter.inc();
  };
  return { registry, authentication };
}
