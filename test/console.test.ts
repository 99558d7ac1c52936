import { copyFile, mkdir } from "node:fs/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import axe from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { browserAndServer, browserAvailable as available } from "./helpers/browser.ts";
import { createSignInLink } from "../server/auth/sessions.ts";
import { agentSetup } from "../server/domain/agents.ts";
import { createOrganization } from "../server/domain/organizations.ts";
import { gql, mutation } from "./helpers/http.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const SHOTS = "test/screenshots/console";
const WAIT = { timeout: 20_000 };

const session = browserAndServer();
beforeAll(() => mkdir(SHOTS, { recursive: true }));

/** Links the server makes carry its public URL; the test server listens elsewhere, so keep the path and fragment. */
const onTestServer = (link: string) => {
  const url = new URL(link);
  return `${session.base}${url.pathname}${url.hash}`;
};

async function newContext(): Promise<BrowserContext> {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: session.base });
  return context;
}

/** A GraphQL request with a key, as an integrator's program makes it. */
async function withKey(key: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${session.base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ query: "{ viewer { organization { id } } }" }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

/**
 * axe-core in the page (evaluated through the driver: a <script> tag would be refused by the
 * CSP) at desktop and phone widths, with a screenshot of each. No serious or critical violations.
 */
async function check(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 800 : size.height });
    expect(await seriousViolations(page), `axe on ${name} at ${width} px`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize(size);
}

async function seriousViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
}

it.runIf(available)("the console: sign in, create, rename, disable, agents, invite, join and removal, in a real browser", async () => {
  const org = await seedOrganization("Console");
  const { db, config } = await testServer();

  // The first boot's one-time link signs the admin in on "API keys".
  const link = await createSignInLink(db.prisma, config, { userId: org.user.id, organizationId: org.organization.id });
  const adminContext = await newContext();
  const page = await adminContext.newPage();
  const pageErrors: string[] = [];
  page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(onTestServer(link));
  await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(WAIT);
  expect(new URL(page.url()).pathname).toBe("/");
  expect(page.url()).not.toContain("#");
  expect(await page.title()).toBe("API keys · Keyward");
  await page.getByRole("region", { name: /^Enabled/ }).getByRole("button", { name: "Rename Admin key" }).waitFor(WAIT);

  // Create API key "CRM Integration" → Generate key → the key, shown once; it works.
  await page.getByRole("button", { name: "Create API key" }).click();
  const form = page.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("Name").fill("CRM Integration");
  expect(await form.getByLabel("Name").getAttribute("placeholder")).toContain("CRM Integration");
  await check(page, "create-key");
  await form.getByRole("button", { name: "Generate key" }).click();
  const created = page.getByRole("dialog", { name: "API key created" });
  const secret = (await created.getByTestId("secret").textContent({ timeout: 20_000 }))!.trim();
  expect(secret).toMatch(/^kw_live_[A-Za-z0-9]{12}_/);
  expect(await withKey(secret)).toEqual({ status: 200, code: undefined });
  // Inside the modal the agent helper builds the command from this very key, making nothing new.
  await created.getByRole("button", { name: "Claude Code" }).click();
  // The same function as the server's connectAgent builds it (from the page's own origin).
  expect(await created.getByTestId("agent-command").textContent()).toBe(agentSetup("CLAUDE_CODE", session.base, secret).command);
  await page.keyboard.press("Escape");
  await expect.poll(() => created.isVisible()).toBe(true);
  await created.getByRole("button", { name: "I have copied" }).click();
  await created.waitFor({ state: "detached", ...WAIT });

  // The card is under Enabled; rename it inline (Escape cancels, Enter saves).
  const id = secret.split("_")[2]!;
  const card = page.locator(`[data-key-id="${id}"]`);
  const enabled = page.getByRole("region", { name: /^Enabled/ });
  const disabled = page.getByRole("region", { name: /^Disabled/ });
  await enabled.locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  await card.getByText("Never").waitFor({ state: "detached", ...WAIT });
  await card.getByRole("button", { name: "Rename CRM Integration" }).click();
  await card.getByRole("textbox").fill("Nope");
  await page.keyboard.press("Escape");
  await card.getByRole("button", { name: "Rename CRM Integration" }).waitFor(WAIT);
  await card.getByRole("button", { name: "Rename CRM Integration" }).click();
  await card.getByRole("textbox").fill("CRM Integration (production)");
  await page.keyboard.press("Enter");
  await card.getByRole("button", { name: "Rename CRM Integration (production)" }).waitFor(WAIT);

  // Switched off: under Disabled, and the key is refused; on again.
  const toggle = card.getByRole("switch", { name: "CRM Integration (production)" });
  expect(await toggle.getAttribute("aria-checked")).toBe("true");
  await toggle.click();
  await disabled.locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  expect(await card.getByRole("switch").getAttribute("aria-checked")).toBe("false");
  expect(await withKey(secret)).toEqual({ status: 403, code: "API_KEY_DISABLED" });
  await check(page, "api-keys-disabled");
  await card.getByRole("switch").click();
  await enabled.locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  expect(await withKey(secret)).toEqual({ status: 200, code: undefined });

  // Delete warns that the key was used in the last 24 hours; cancelled.
  await card.getByRole("button", { name: "More actions for CRM Integration (production)" }).click();
  await card.getByRole("button", { name: "Delete" }).click();
  const deleting = page.getByRole("dialog", { name: /^Delete/ });
  await deleting.getByText("used in the last 24 hours").waitFor(WAIT);
  await check(page, "delete-key");
  await deleting.getByRole("button", { name: "Cancel" }).click();
  await deleting.waitFor({ state: "detached", ...WAIT });
  expect(await withKey(secret)).toEqual({ status: 200, code: undefined });

  // The agent card: Claude Code → a `claude mcp add …` command whose key works on /mcp.
  const agents = page.getByRole("region", { name: "Connect to an AI agent (MCP)" });
  await agents.getByRole("button", { name: "Claude Code" }).click();
  const command = (await agents.getByTestId("agent-command").textContent(WAIT))!;
  expect(command).toMatch(/^claude mcp add --transport http keyward \S+\/mcp --header "X-API-Key: kw_live_\w+"$/);
  const agentKey = /X-API-Key: (kw_\w+)/.exec(command)![1]!;
  const mcp = new Client({ name: "console-test", version: "1.0.0" });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${session.base}/mcp`), { requestInit: { headers: { "x-api-key": agentKey } } }));
  expect((await mcp.listTools()).tools.length).toBeGreaterThan(0);
  await mcp.close();
  await enabled.getByRole("button", { name: /^Rename Claude Code agent, \d{4}-\d{2}-\d{2}/ }).waitFor(WAIT);
  await agents.getByRole("button", { name: "Cursor" }).click();
  await agents.getByRole("link", { name: "Add to Cursor" }).waitFor(WAIT);
  // The committed screenshot for the README: no full key on it (the agent's is in the card: clear it).
  await page.reload();
  await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(WAIT);
  await enabled.locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  await check(page, "api-keys");
  // README's picture is refreshed on request only, so a test run leaves the working tree as it was.
  if (process.env.UPDATE_README_SCREENSHOT) await copyFile(`${SHOTS}/api-keys-1280.png`, "docs/console-api-keys.png");

  // Key details: the usage chart (with its data table), scopes, history.
  await card.getByRole("link", { name: /Details/ }).click();
  await page.getByRole("heading", { name: "CRM Integration (production)", level: 1 }).waitFor(WAIT);
  await page.getByRole("img", { name: /Requests per day/ }).waitFor(WAIT);
  await page.getByRole("table", { name: /History of/ }).getByText("Key renamed").waitFor(WAIT);
  await check(page, "key-details");
  await page.getByRole("button", { name: "Last 90 days" }).click();
  await page.getByRole("img", { name: /last 90 days/ }).waitFor(WAIT);

  // Audit log.
  await page.getByRole("navigation").getByRole("link", { name: "Audit log" }).click();
  await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor(WAIT);
  await page.getByRole("cell", { name: "Key disabled" }).first().waitFor(WAIT);
  await check(page, "audit");

  // An admin invites a member; the join link opens in a second browser.
  await page.getByRole("navigation").getByRole("link", { name: "Members" }).click();
  await page.getByRole("heading", { name: "Members", level: 1 }).waitFor(WAIT);
  await page.getByRole("button", { name: "Invite member" }).click();
  const inviting = page.getByRole("dialog", { name: "Invite member" });
  const memberEmail = `member-${org.organization.id}@example.com`;
  await inviting.getByLabel("Email").fill(memberEmail);
  await inviting.getByRole("button", { name: "Invite" }).click();
  const joinLink = (await page.getByRole("dialog", { name: "Invitation created" }).getByTestId("join-link").textContent(WAIT))!;
  expect(joinLink).toMatch(/\/join#/);
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("table", { name: "Pending invitations" }).getByRole("cell", { name: memberEmail, exact: true }).waitFor(WAIT);
  await check(page, "members");

  const memberContext = await newContext();
  const member = await memberContext.newPage();
  await member.goto(onTestServer(joinLink));
  await member.getByRole("heading", { name: "Join an organization" }).waitFor(WAIT);
  expect(member.url()).not.toContain("#");
  await check(member, "join");
  await member.getByLabel("Key name").fill("Laptop");
  await member.getByRole("button", { name: "Join" }).click();
  const welcome = member.getByRole("dialog", { name: /^Welcome to/ });
  const memberKey = (await welcome.getByTestId("secret").textContent(WAIT))!.trim();
  expect(await withKey(memberKey)).toEqual({ status: 200, code: undefined });
  await welcome.getByRole("button", { name: "I have copied" }).click();
  await member.getByRole("heading", { name: "API keys", level: 1 }).waitFor(WAIT);
  // Only their own key, and no admin actions on Members.
  await member.getByRole("region", { name: /^Enabled/ }).getByRole("button", { name: "Rename Laptop" }).waitFor(WAIT);
  expect(await member.locator(".key-card").count()).toBe(1);
  expect(await member.getByLabel("Owner").count()).toBe(0);
  await check(member, "api-keys-member");
  await member.getByRole("navigation").getByRole("link", { name: "Members" }).click();
  await member.getByRole("table", { name: "Members" }).getByRole("cell", { name: `${memberEmail} (you)` }).waitFor(WAIT);
  expect(await member.getByRole("button", { name: "Invite member" }).count()).toBe(0);
  expect(await member.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
  expect(await member.getByRole("navigation").getByRole("link", { name: "Audit log" }).count()).toBe(0);
  await check(member, "members-member");

  // Roles: with a second admin the first can be removed; back to one, the page says why not.
  await page.reload();
  await page.getByLabel(`Role of ${memberEmail}`).selectOption("ADMIN");
  await page.getByRole("button", { name: `Remove ${org.user.email}` }).waitFor(WAIT);
  await page.getByLabel(`Role of ${memberEmail}`).selectOption("MEMBER");
  await page.getByText("An organization always keeps at least one admin").waitFor(WAIT);
  expect(await page.getByLabel(`Role of ${org.user.email}`).isDisabled()).toBe(true);

  // The admin removes the member: the confirmation counts the keys it revokes.
  await page.getByRole("button", { name: `Remove ${memberEmail}` }).click();
  const removing = page.getByRole("dialog", { name: `Remove ${memberEmail}?` });
  await removing.getByText("1 personal key will be revoked", { exact: false }).waitFor(WAIT);
  await removing.getByRole("button", { name: "Remove member" }).click();
  await page.getByRole("table", { name: "Members" }).getByRole("cell", { name: memberEmail, exact: true }).waitFor({ state: "detached", ...WAIT });

  // The member's next action lands on the sign-in page; their key is refused.
  await member.getByRole("navigation").getByRole("link", { name: "API keys" }).click();
  await member.getByRole("heading", { name: "Sign in to Keyward" }).waitFor(WAIT);
  expect(new URL(member.url()).pathname).toBe("/signin");
  expect((await withKey(memberKey)).status).toBe(403);
  await check(member, "signin");

  // Sign out ends the admin's session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Keyward" }).waitFor(WAIT);
  // Nothing the CSP refused, no uncaught error (failed requests the story provokes, 401/403, are fine).
  expect(pageErrors.filter((text) => !/Failed to load resource/.test(text))).toEqual([]);
  await adminContext.close();
  await memberContext.close();
}, 240_000);

/** Presses Tab until the focused element's accessible text is `name` (a keyboard user's way through the page). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return element?.getAttribute("aria-label") ?? element?.textContent?.trim() ?? "";
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

it.runIf(available)("the console by keyboard alone: sign in with a key, create, rotate, revoke, show revoked; dark scheme", async () => {
  const org = await seedOrganization("Keyboard");
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${session.base}/signin`);
  await page.getByLabel("API key").waitFor(WAIT);
  // A wrong key is refused in words chosen by the code, never the raw response.
  await page.getByLabel("API key").fill("kw_live_nonsense");
  await page.getByLabel("API key").press("Enter");
  const refusal = await page.getByRole("alert").textContent(WAIT);
  expect(refusal).toContain("not valid");
  expect(refusal).not.toMatch(/[{}]|UNAUTHENTICATED/);
  await page.getByLabel("API key").fill("");
  await page.getByLabel("API key").focus();
  await page.keyboard.insertText(org.adminKey);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(WAIT);

  // Create API key → Name → Enter generates → "I have copied".
  await tabTo(page, "Create API key");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Create API key" }).waitFor(WAIT);
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).id)).toBe("key-name");
  await page.keyboard.insertText("Zapier");
  await page.keyboard.press("Enter");
  const created = page.getByRole("dialog", { name: "API key created" });
  const secret = (await created.getByTestId("secret").textContent(WAIT))!.trim();
  await tabTo(page, "I have copied");
  await page.keyboard.press("Enter");
  await created.waitFor({ state: "detached", ...WAIT });
  const id = secret.split("_")[2]!;
  const card = page.locator(`[data-key-id="${id}"]`);
  await card.waitFor(WAIT);

  // Rotate with a grace period: a new secret, shown once; both work during the grace.
  await card.getByRole("button", { name: "More actions for Zapier" }).focus();
  await page.keyboard.press("Enter");
  await tabTo(page, "Rotate");
  await page.keyboard.press("Enter");
  const rotating = page.getByRole("dialog", { name: "Rotate “Zapier”" });
  await rotating.getByLabel("Old secret keeps working for").selectOption({ label: "1 hour" });
  await tabTo(page, "Rotate key");
  await page.keyboard.press("Enter");
  const rotated = page.getByRole("dialog", { name: "Key rotated" });
  const newSecret = (await rotated.getByTestId("secret").textContent(WAIT))!.trim();
  expect(newSecret).not.toBe(secret);
  expect(await withKey(newSecret)).toEqual({ status: 200, code: undefined });
  expect(await withKey(secret)).toEqual({ status: 200, code: undefined });
  await rotated.getByRole("button", { name: "I have copied" }).press("Enter");
  await rotated.waitFor({ state: "detached", ...WAIT });

  // Revoke (permanent): gone from Enabled, listed under Revoked with "Show revoked", refused.
  await card.getByRole("button", { name: "More actions for Zapier" }).press("Enter");
  await tabTo(page, "Revoke");
  await page.keyboard.press("Enter");
  const revoking = page.getByRole("dialog", { name: "Revoke “Zapier”?" });
  await revoking.getByText("This is permanent.").waitFor(WAIT);
  await revoking.getByRole("button", { name: "Revoke key" }).press("Enter");
  await card.waitFor({ state: "detached", ...WAIT });
  expect(await withKey(newSecret)).toEqual({ status: 403, code: "API_KEY_REVOKED" });
  await page.getByLabel("Show revoked").press("Space");
  await page.getByRole("region", { name: /^Revoked/ }).locator(`[data-key-id="${id}"]`).waitFor(WAIT);
  expect(await card.getByRole("switch").count()).toBe(0);

  // A person in two organizations gets a switcher; switching shows the other one's keys.
  const { db } = await testServer();
  const other = await createOrganization({ prisma: db.prisma }, { organizationName: `Second ${org.organization.slug}`, email: org.user.email });
  await page.reload();
  const switcher = page.getByLabel("Organization");
  await switcher.selectOption({ label: other.organization.name });
  await page.locator(`[data-key-id="${other.apiKey.id}"]`).waitFor(WAIT);
  expect(await page.locator(`[data-key-id="${id}"]`).count()).toBe(0);

  // Dark colour scheme: still no serious or critical violations (contrast included).
  await page.emulateMedia({ colorScheme: "dark" });
  await check(page, "api-keys-dark");
  await context.close();
}, 180_000);

it.runIf(available)("the console offers an organization's permission catalogue when creating a key, and shows a key's permissions", async () => {
  const platform = await seedPlatformKey();
  const tenant = await createTenant(platform.secret);
  const catalog = [
    { name: "invoices:read", description: "Read invoices." },
    { name: "invoices:write", description: "Create and change invoices." },
    { name: "reports:read", description: "Download reports." },
  ];
  const set = await gql(mutation("setPermissionCatalog", "{ permissions { name } }"), {
    key: platform.secret,
    variables: { i: { organizationId: tenant.id, permissions: catalog } },
  });
  expect(set.errors).toBeUndefined();
  const { db, config } = await testServer();
  const link = await createSignInLink(db.prisma, config, { userId: tenant.adminId, organizationId: tenant.id });
  const context = await newContext();
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(onTestServer(link));
  await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(WAIT);

  await page.getByRole("button", { name: "Create API key" }).click();
  const form = page.getByRole("dialog", { name: "Create API key" });
  const permissions = form.getByRole("group", { name: "Permissions" });
  await permissions.getByRole("checkbox", { name: /invoices:read/ }).waitFor(WAIT);
  expect(await permissions.getByText("Create and change invoices.").isVisible()).toBe(true);
  // An organization a platform made: Keyward's own scopes are opt-in, none is ticked.
  expect(await form.getByRole("group", { name: "Scopes" }).getByRole("checkbox", { checked: true }).count()).toBe(0);
  await form.getByLabel("Name").fill("Billing service");
  await permissions.getByRole("checkbox", { name: /invoices:read/ }).check();
  await permissions.getByRole("checkbox", { name: /reports:read/ }).check();
  await check(page, "create-key-permissions");
  await form.getByRole("button", { name: "Generate key" }).click();
  const created = page.getByRole("dialog", { name: "API key created" });
  const secret = (await created.getByTestId("secret").textContent({ timeout: 20_000 }))!.trim();
  await created.getByRole("button", { name: "I have copied" }).click();
  await created.waitFor({ state: "detached", ...WAIT });

  // The card lists the key's permissions; the product's verification reports them.
  const id = secret.split("_")[2]!;
  const card = page.locator(`[data-key-id="${id}"]`);
  await card.getByText("reports:read").waitFor(WAIT);
  expect(await card.getByText("invoices:read").isVisible()).toBe(true);
  expect(await card.getByText("invoices:write").count()).toBe(0);
  await check(page, "api-keys-permissions");
  const verified = await gql(mutation("verifyApiKey", "{ valid scopes permissions }"), {
    key: platform.secret,
    variables: { i: { key: secret, requiredPermissions: ["invoices:read", "reports:read"] } },
  });
  expect(verified.data?.verifyApiKey).toEqual({ valid: true, scopes: [], permissions: ["invoices:read", "reports:read"] });

  await card.getByRole("link", { name: /Details/ }).click();
  await page.getByRole("heading", { name: "Billing service", level: 1 }).waitFor(WAIT);
  await page.getByRole("heading", { name: "Permissions" }).waitFor(WAIT);
  expect(await page.getByRole("list").filter({ hasText: "invoices:read" }).getByText("reports:read").isVisible()).toBe(true);
  await check(page, "key-details-permissions");
  expect(pageErrors).toEqual([]);
  await context.close();
}, 120_000);
