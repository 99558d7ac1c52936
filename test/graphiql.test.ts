import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { browserAndServer, browserAvailable as available } from "./helpers/browser.ts";
import { seedOrganization } from "./helpers/seed.ts";

const session = browserAndServer();

it.runIf(available)("GraphiQL at /graphql: paste a key once, run Viewer, then ListKeys with the same key", async () => {
  const org = await seedOrganization("Browser");
  const page = await session.browser.newPage();
  await page.goto(`${session.base}/graphql`);
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

const SCREENSHOTS = "test/screenshots/graphiql";

/** The instruction comments at the top of the prepared document, as a person reads them. */
const INSTRUCTIONS = [
  "# Paste your key between the quotes of",
  '# "X-API-Key" in the Headers tab below, once:',
  "# it applies to every operation here.",
  "# Press ▶ and pick one, or put the cursor",
  "# inside an operation and press Ctrl+Enter.",
  "# RotateKey and RevokeKey take a key's id",
  "# (from ListKeys) in the Variables tab.",
];

interface EditorView {
  /** The rendered lines, top to bottom, as shown (a wrapped line is several). */
  lines: string[];
  /** Rendered lines whose text reaches past the editor's left or right edge. */
  cutOff: string[];
}

/** What a person sees of the visible Monaco editor inside `container`: its lines, and any cut off sideways. */
function editorView(page: Page, container: string): Promise<EditorView> {
  return page.evaluate((selector) => {
    const editor = [...document.querySelectorAll<HTMLElement>(`${selector} .monaco-editor`)].find((e) => e.checkVisibility());
    if (!editor) throw new Error(`no visible editor in ${selector}`);
    const box = editor.querySelector(".monaco-scrollable-element")!.getBoundingClientRect();
    const lines = [...editor.querySelectorAll<HTMLElement>(".view-line")]
      .map((line) => ({ line, top: line.getBoundingClientRect().top }))
      .filter(({ top }) => top >= box.top - 1 && top < box.bottom)
      .sort((a, b) => a.top - b.top)
      .map(({ line }) => {
        // The text itself (the line's spans), not the line's box, which is as wide as the editor.
        const spans = [...line.querySelectorAll(":scope > span > span")].map((s) => s.getBoundingClientRect()).filter((r) => r.width > 0);
        const left = Math.min(...spans.map((r) => r.left));
        const right = Math.max(...spans.map((r) => r.right));
        return { text: (line.textContent ?? "").replace(/\u00a0/g, " "), cut: spans.length > 0 && (left < box.left - 1 || right > box.right + 1) };
      });
    return { lines: lines.map((l) => l.text), cutOff: lines.filter((l) => l.cut).map((l) => l.text) };
  }, container);
}

const QUERY = ".graphiql-query-editor";
const TOOLS = ".graphiql-editor-tool";

/**
 * Opens the Variables or Headers tab and waits until its editor shows `marker` (Monaco lays
 * out a revealed editor a moment later); if it never does, the caller's assertions say what it shows.
 */
async function showTool(page: Page, name: "variables" | "headers", marker: string): Promise<void> {
  await page.locator(`.graphiql-editor-tools button[data-name=${name}]`).click();
  await page
    .waitForFunction(
      ([tools, m]: [string, string]) =>
        [...document.querySelectorAll<HTMLElement>(`${tools} .monaco-editor`)].some((e) => e.checkVisibility() && e.querySelector(".view-lines")?.textContent?.replace(/\u00a0/g, " ").includes(m)),
      [TOOLS, marker] as [string, string],
      { timeout: 5_000 },
    )
    .catch(() => undefined);
}

async function tabsSeen(page: Page): Promise<{ tabs: string[]; active: string }> {
  const tabs = (await page.locator(".graphiql-tab").allInnerTexts()).map((t) => t.trim());
  const active = (await page.locator(".graphiql-tab.graphiql-tab-active").innerText()).trim();
  return { tabs, active };
}

/** Waits for the editors to show text (GraphiQL fills them after its first render). */
async function ready(page: Page): Promise<void> {
  await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
  await page.waitForFunction(
    ([query, tools]) => [query, tools].every((s) => [...document.querySelectorAll(`${s} .view-line`)].some((l) => l.textContent?.trim())),
    [QUERY, TOOLS],
    { timeout: 30_000 },
  );
}

/** The prepared document in the one active tab, its instructions on screen uncut, and the id variable RotateKey needs. */
async function expectPreparedDocument(page: Page, variablesHold: string, title = "Viewer"): Promise<void> {
  // GraphiQL names a tab after the operation last run in it.
  expect(await tabsSeen(page)).toEqual({ tabs: [title], active: title });
  // Monaco lays lines out again once its font is measured: poll until the layout settles.
  await expect.poll(async () => (await editorView(page, QUERY)).lines.slice(0, INSTRUCTIONS.length), { timeout: 10_000 }).toEqual(INSTRUCTIONS);
  await expect.poll(async () => (await editorView(page, QUERY)).cutOff, { timeout: 10_000 }).toEqual([]);
  await showTool(page, "variables", `"id": ${variablesHold}`);
  await expect.poll(async () => (await editorView(page, TOOLS)).lines.join("\n"), { timeout: 10_000 }).toContain(`"id": ${variablesHold}`);
  await expect.poll(async () => (await editorView(page, TOOLS)).cutOff, { timeout: 10_000 }).toEqual([]);
}

it.runIf(available)("GraphiQL after a first visit and after a reload: the prepared document is the active tab, readable at 1280 px, RotateKey runs with a pasted id", async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const org = await seedOrganization("Reload");
  const page = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${session.base}/graphql`);
  await ready(page);
  await expectPreparedDocument(page, '"paste a key id from ListKeys"');
  await page.screenshot({ path: `${SCREENSHOTS}/1-first-visit.png` });

  // A reload before any edit: still the prepared document, not an empty <untitled> tab.
  await page.reload();
  await ready(page);
  await expectPreparedDocument(page, '"paste a key id from ListKeys"');
  await page.screenshot({ path: `${SCREENSHOTS}/2-after-reload.png` });

  // Paste the key in the Headers tab, as README says: the whole header line stays in sight.
  await showTool(page, "headers", '"X-API-Key"');
  await page.locator(`${TOOLS} .monaco-editor`).filter({ visible: true }).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.insertText(org.adminKey);
  await page.waitForFunction((key) => document.querySelector(".graphiql-editor-tool")?.textContent?.includes(key.slice(-6)), org.adminKey);
  await expect.poll(async () => (await editorView(page, TOOLS)).cutOff, { timeout: 10_000 }).toEqual([]);
  const headers = await editorView(page, TOOLS);
  expect(headers.lines.join("").replace(/\s+/g, "")).toContain(`"X-API-Key":"${org.adminKey}"`);
  expect(headers.lines.some((l) => l.includes('"X-API-Key"'))).toBe(true);
  await page.screenshot({ path: `${SCREENSHOTS}/3-key-pasted.png` });

  const run = async (operation: string, marker: string): Promise<string> => {
    await page.locator(".graphiql-execute-button").click();
    await page.locator(".graphiql-dropdown-item").getByText(operation, { exact: true }).click();
    await page.waitForFunction((m) => document.querySelector(".graphiql-response")?.textContent?.includes(m), marker, { timeout: 20_000 });
    return (await page.locator(".graphiql-response").innerText()).replace(/\u00a0/g, " ");
  };

  // Unedited, RotateKey says the id is wrong rather than that no id was given.
  const unedited = await run("RotateKey", '"rotateApiKey"');
  expect(unedited).toContain("API key not found.");
  expect(unedited).not.toContain("was not provided");

  // A key id from ListKeys, pasted over the placeholder, rotates that key.
  const keys = await run("ListKeys", '"apiKeys"');
  const id = /"id": "([^"]+)"/.exec(keys)?.[1];
  expect(id).toBeTruthy();
  await showTool(page, "variables", '"id"');
  await page.locator(`${TOOLS} .monaco-editor`).filter({ visible: true }).click();
  // Select the placeholder between the quotes of "id" (line 2) and paste the id over it.
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  for (const _ of "paste a key id from ListKeys") await page.keyboard.press("Shift+ArrowLeft");
  await page.keyboard.insertText(id!);
  await expect.poll(async () => (await editorView(page, TOOLS)).lines, { timeout: 10_000 }).toEqual(["{", `  "id": "${id}"`, "}"]);
  const rotated = await run("RotateKey", '"rotateApiKey"');
  expect(rotated).not.toContain("was not provided");
  expect(rotated).not.toContain('"errors"');
  expect(rotated).toContain(`"id": "${id}"`);
  // The response editor wraps the long secret; its text has no line break of its own.
  expect(rotated.replace(/\s+/g, "")).toMatch(new RegExp(`"secret":"kw_live_${id}_[0-9A-Za-z]{38}"`));

  // Once GraphiQL has saved the edited variables, a reload reopens the same tab with them,
  // and the key is nowhere in the browser's storage.
  await page.waitForFunction((v) => localStorage.getItem("graphiql:tabState")?.includes(v), id!);
  await page.reload();
  await ready(page);
  await expectPreparedDocument(page, `"${id}"`, "RotateKey");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(org.adminKey.slice(21));
  await showTool(page, "headers", '"X-API-Key"');
  expect((await editorView(page, TOOLS)).lines.join("")).toContain('"X-API-Key": ""');
  await page.close();
}, 120_000);
