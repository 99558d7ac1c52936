import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { listen, testServer } from "./server.ts";

const CHROMIUM = "/usr/bin/chromium";
/** .ci/run installs Debian's chromium; a developer machine without it skips the browser tests. */
export const browserAvailable = existsSync(CHROMIUM) || Boolean(process.env.CI);

/**
 * Chromium and the worker's Keyward on a real port, for a browser test file: started before its
 * tests, closed after. Read `browser` and `base` inside the tests (they are set by then).
 */
export function browserAndServer(): { readonly browser: Browser; readonly base: string } {
  const state = {} as { browser: Browser; base: string; close?: () => void };
  beforeAll(async () => {
    if (!browserAvailable) return;
    const { server, origin } = await listen((await testServer()).yoga);
    state.base = origin;
    state.close = () => server.close();
    state.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
  });
  afterAll(async () => {
    await state.browser?.close();
    state.close?.();
  });
  return state;
}
