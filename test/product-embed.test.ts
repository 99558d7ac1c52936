import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startProduct } from "../examples/product/server.ts";
import { browserAndServer, browserAvailable as available } from "./helpers/browser.ts";
import { seedPlatformKey } from "./helpers/platform.ts";
import { testServer } from "./helpers/server.ts";

const SHOTS = "test/screenshots/product";
const WAIT = { timeout: 20_000 };

const session = browserAndServer();
const product = {} as { server: Server; origin: string };

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  if (!available) return;
  // The product on a port of its own: another origin than Keyward's.
  const platform = await seedPlatformKey(["PLATFORM_WRITE", "PLATFORM_VERIFY"], "Acme Analytics backend");
  Object.assign(product, await startProduct({ keywardUrl: session.base, platformKey: platform.secret, port: 0 }));
});
afterAll(() => product.server?.close());

/** The product's own API, called as its customer's program calls it. */
async function hello(key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${product.origin}/api/hello`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** axe-core over the product's page, the element's shadow root included; no serious or critical violations. */
async function check(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(axe.source);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] });
      return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3) }));
    });
    expect(violations, `axe on ${name} at ${width} px`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

it.runIf(available)("a product embeds the key page: its customer creates a key there, the product's API accepts it, and refuses it once disabled there", async () => {
  expect(new URL(product.origin).origin).not.toBe(new URL(session.base).origin);
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  page.on("pageerror", (error) => pageErrors.push(error.message));

  // The customer signs up in the product, which creates their organization in Keyward.
  await page.goto(`${product.origin}/`);
  await page.getByLabel("Company").fill("Globex");
  await page.getByLabel("Work email").fill(`owner-${crypto.randomUUID()}@globex.example`);
  await page.getByRole("button", { name: "Create account" }).click();

  // Their account page shows Keyward's key page, inside the product's own page.
  const element = page.locator("keyward-api-keys");
  await element.getByRole("heading", { name: "API keys", level: 2 }).waitFor(WAIT);
  await element.getByRole("heading", { name: "Connect to an AI agent (MCP)" }).waitFor(WAIT);
  const customerId = (await page.locator("main code").nth(2).textContent())!.trim();
  expect(customerId).toMatch(/^cus_/);
  const { db } = await testServer();
  const organization = await db.prisma.organization.findUniqueOrThrow({ where: { externalId: customerId } });
  expect(organization.name).toBe("Globex");
  // Themed by the product's custom properties.
  const accent = await element.getByRole("button", { name: "Create API key" }).evaluate((button) => getComputedStyle(button).backgroundColor);
  expect(accent).toBe("rgb(122, 46, 14)");
  await check(page, "account");

  // Create API key → Generate key → the key, shown once.
  await element.getByRole("button", { name: "Create API key" }).click();
  const form = element.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("Name").fill("Reporting job");
  await check(page, "create-key");
  await form.getByRole("button", { name: "Generate key" }).click();
  const created = element.getByRole("dialog", { name: "API key created" });
  const secret = (await created.getByTestId("secret").textContent(WAIT))!.trim();
  expect(secret).toMatch(/^kw_live_[A-Za-z0-9]{12}_/);
  await check(page, "key-created");
  await created.getByRole("button", { name: "I have copied" }).click();
  await created.waitFor({ state: "detached", ...WAIT });

  // The product's API accepts it and knows whose it is.
  expect(await hello(secret)).toMatchObject({ status: 200, body: { hello: customerId, organization: "Globex", key: "Reporting job" } });
  expect((await hello("kw_live_nothing")).status).toBe(401);

  // Disabled in the embedded page: the product's API refuses it on the very next call.
  const id = secret.split("_")[2]!;
  await element.getByRole("region", { name: /^Enabled/ }).locator(`[data-key-id="${id}"]`).getByRole("switch", { name: "Reporting job" }).click();
  await element.getByRole("region", { name: /^Disabled/ }).locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  expect(await hello(secret)).toMatchObject({ status: 403, body: { error: "API_KEY_DISABLED" } });
  await check(page, "disabled");

  // The member's actions are audited as theirs, made through the embedded page.
  const events = await db.prisma.auditEvent.findMany({ where: { organizationId: organization.id, action: { in: ["API_KEY_CREATED", "API_KEY_DISABLED"] } } });
  expect(events.map((e) => (e.metadata as { via?: string }).via)).toEqual(["embedded", "embedded"]);
  expect(pageErrors).toEqual([]);

  // The hosted alternative: the product sends its customer to Keyward's console, signed in once,
  // with a way back. (Links carry Keyward's public URL; the test's Keyward listens elsewhere.)
  const cookies = await context.cookies(product.origin);
  const redirect = await fetch(`${product.origin}/keyward`, {
    redirect: "manual",
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
  });
  expect(redirect.status).toBe(303);
  const link = new URL(redirect.headers.get("location")!);
  await page.goto(`${session.base}${link.pathname}${link.hash}`);
  const back = page.getByRole("link", { name: `Back to ${new URL(product.origin).host}` });
  await back.waitFor(WAIT);
  expect(await back.getAttribute("href")).toBe(`${product.origin}/`);
  await page.locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  await page.screenshot({ path: `${SHOTS}/hosted-console-1280.png` });
  await context.close();
});
