import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { formatKey } from "../server/auth/key.ts";
import { createLogger } from "../server/infra/logger.ts";

const root = join(import.meta.dirname, "..");
const key = formatKey("live", "AbCdEfGhIjKl", "S3cretS3cretS3cretS3cretS3cret12");
const secretPart = "S3cretS3cretS3cretS3cretS3cret12";

describe("the logger (pino)", () => {
  it("writes one JSON line per call with time, level, msg and the fields, and no key anywhere in it", () => {
    const lines: string[] = [];
    const logger = createLogger("debug", (line) => lines.push(line));
    logger.info("request", { method: "POST", path: `/graphql`, operation: `Op ${key}`, status: 200, ms: 1.5 });
    logger.warn(`a message naming ${key}`, { nested: { deeper: [key, `Bearer ${key}`] }, invitation: "kwinv_abcdefABCDEF123456" });
    const error = new Error(`failed for ${key}`);
    logger.error(error, { during: `authentication of ${key}` });
    logger.debug({ key });
    logger.info(`x-api-key: ${key.replace("kw_live_", "kw_test_")}`);

    expect(lines).toHaveLength(5);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ level: "info", msg: "request", method: "POST", path: "/graphql", status: 200, ms: 1.5 });
    expect(typeof parsed[0]!.time).toBe("string");
    expect(Number.isNaN(Date.parse(parsed[0]!.time as string))).toBe(false);
    expect(parsed[2]).toMatchObject({ level: "error", err: { name: "Error" } });
    expect(Object.keys(parsed[2]!.err as object).sort()).toEqual(["message", "name", "stack"]);
    expect(parsed[2]!.msg).toContain("failed for kw_live_AbCdEfGhIjKl…[redacted]");
    expect(String((parsed[2]!.err as { stack: string }).stack)).toContain("…[redacted]");
    const all = lines.join("\n");
    expect(all).not.toContain(secretPart);
    expect(all).not.toContain("kwinv_abcdef");
  });

  it("honours its level", () => {
    const lines: string[] = [];
    const logger = createLogger("warn", (line) => lines.push(line));
    logger.info("request", { status: 200 });
    logger.debug("detail");
    logger.warn("kept");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["kept"]);
  });

  it("on stdout (asynchronous destination): redacts, and writes what was logged just before the process exits", async () => {
    const script = [
      `const { createLogger } = await import(${JSON.stringify(join(root, "server", "infra", "logger.ts"))});`,
      `const logger = createLogger("info");`,
      `for (let i = 0; i < 200; i++) logger.info("request", { i, operation: ${JSON.stringify(key)} });`,
      `logger.error(new Error(${JSON.stringify(`boom ${key}`)}));`,
      `process.exit(0);`,
    ].join("\n");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(201);
    expect(JSON.parse(lines[199]!)).toMatchObject({ msg: "request", i: 199, operation: "kw_live_AbCdEfGhIjKl…[redacted]" });
    expect(JSON.parse(lines[200]!)).toMatchObject({ level: "error", msg: "boom kw_live_AbCdEfGhIjKl…[redacted]" });
    expect(stdout).not.toContain(secretPart);
  });
});
