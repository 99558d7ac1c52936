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

it.runIf(available)("GraphiQL at /graphql: paste a key once, run Viewer, then ListKeys with the same key", async () => {
  const org = await seedOrganization("Browser");
  const page = await browser.newPage();
  await page.goto(`${base}/graphql`);
  await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
  expect(await page.title()).toBe("Keyward");
  // GraphiQL keeps headers per tab, so the examples share one tab and its one header editor.
  expect((await page.locator(".graphiql-tab").allInnerTexts()).map((t) => t.trim())).toEqual(["Viewer"]);

  // The header editor holds { "X-API-Key": "" }: put the cursor between the quotes and paste.
  await page.locator(".graphiql-editor-tool .graphiql-editor").last().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.insertText(org.adminKey);

  // With several operations in the document, the execute button asks which one to run.
  const run = async (operation: string, marker: string): Promise<string> => {
    await page.locator(".graphiql-execute-button").click();
    const items = page.locator(".graphiql-dropdown-item");
    expect((await items.allInnerTexts()).map((t) => t.trim())).toEqual(["Viewer", "ListKeys", "CreateKey", "RotateKey", "RevokeKey", "AuditTrail"]);
    await items.getByText(operation, { exact: true }).click();
    await page.waitForFunction((m) => document.querySelector(".graphiql-response")?.textContent?.includes(m), marker, { timeout: 20_000 });
    // The response editor renders spaces as no-break spaces.
    return (await page.locator(".graphiql-response").innerText()).replace(/\u00a0/g, " ");
  };

  const viewer = await run("Viewer", '"role"');
  expect(viewer).toContain(org.organization.name);
  expect(viewer).toContain('"ADMIN"');
  expect(viewer).not.toContain(org.adminKey.slice(21));

  const keys = await run("ListKeys", '"apiKeys"');
  expect(keys).not.toContain("UNAUTHENTICATED");
  expect(keys).toContain('"name": "Admin key"');
  expect(keys).not.toContain(org.adminKey.slice(21));
}, 90_000);
