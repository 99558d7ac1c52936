import type { Logger } from "./logger.ts";

export interface Periodic {
  /** Stops the timer and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (the first run after `firstAfterMs`), one run at a time: a run
 * still going when the next is due makes that one skip. A failure is logged, and the next run
 * tries again. The timer keeps no process alive.
 */
export function every(name: string, intervalMs: number, task: () => Promise<void>, logger: Logger, firstAfterMs = intervalMs): Periodic {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = task()
      .catch((error: unknown) => logger.warn(`${name} failed`, { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(() => {
    run();
    interval = setInterval(run, intervalMs);
    interval.unref();
  }, firstAfterMs);
  first.unref();
  let interval: NodeJS.Timeout | undefined;
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      if (interval) clearInterval(interval);
      await running;
    },
  };
}
