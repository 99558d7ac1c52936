import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";

const CHROMIUM = "/usr/bin/chromium";
// .ci/run installs Debian's chromium; a developer machine without it skips this one test.
const available = existsSync(CHROMIUM) || Boolean(process.env.CI);

let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!available) return;
  ({ server, origin: base } = await listen((await testServer()).yoga));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

it.runIf(available)("GraphiQL at /graphql: paste a key into the header editor, run viewer, see the answer", async () => {
  const org = await seedOrganization("Browser");
  const page = await browser.newPage();
  await page.goto(`${base}/graphql`);
  await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
  expect(await page.title()).toBe("Keyward");
  const tabs = await page.locator(".graphiql-tab").allInnerTexts();
  expect(tabs.map((t) => t.trim())).toEqual(["Viewer", "ListKeys", "CreateKey", "RotateKey", "RevokeKey", "AuditTrail"]);

  // The header editor holds { "X-API-Key": "" }: put the cursor between the quotes and paste.
  await page.locator(".graphiql-editor-tool .graphiql-editor").last().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.insertText(org.adminKey);
  await page.locator(".graphiql-execute-button").click();

  await page.waitForFunction(() => document.querySelector(".graphiql-response")?.textContent?.includes('"role"'), null, { timeout: 20_000 });
  // The response editor renders spaces as no-break spaces.
  const answer = (await page.locator(".graphiql-response").innerText()).replace(/\u00a0/g, " ");
  expect(answer).toContain(org.organization.name);
  expect(answer).toContain('"ADMIN"');
  expect(answer).not.toContain(org.adminKey.slice(21));
}, 90_000);
