import { afterEach, describe, expect, it, vi } from "vitest";
import { every } from "../server/infra/periodic.ts";
import type { Logger } from "../server/infra/logger.ts";

/** The runner behind the dormant-key sweep, on vitest's fake clock (no waiting). */
describe("every()", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const logger = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn(), error: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };

  it("runs first after firstAfterMs, then every intervalMs, never twice at once, logs failures and goes on", async () => {
    vi.useFakeTimers();
    const log = logger();
    let release: () => void = () => undefined;
    let runs = 0;
    const task = vi.fn(async () => {
      runs++;
      if (runs === 2) throw new Error("database down");
      if (runs === 3) await new Promise<void>((resolve) => (release = resolve));
    });
    const periodic = every("sweep", 1_000, task, log, 100);
    await vi.advanceTimersByTimeAsync(99);
    expect(task).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(2);
    expect(log.warn).toHaveBeenCalledWith("sweep failed", { error: "database down" });
    // The third run hangs: the fourth is due but skipped while it is still going.
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(3);
    const stopped = periodic.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    release();
    await stopped;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(3);
  });
});
