import { execFile } from "node:child_process";
import type { Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import { listen, testServer } from "./server.ts";

const root = join(import.meta.dirname, "..", "..");
const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `keyward` command as a user would; resolves with its exit code and output. */
export async function keyward(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(root, "bin", "keyward.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `--json`'s refusal: `{ error: { code } }` on stdout, and exit code 1. */
export function refusedWith(result: CliResult): { exit: number; code: unknown } {
  let code: unknown;
  try {
    code = (JSON.parse(result.stdout) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = `not JSON: ${result.stdout}${result.stderr}`;
  }
  return { exit: result.code, code };
}

/** The worker's Keyward on a real port for this file's tests (the command is another process); `url` is its GraphQL URL. */
export function servedForCli(): { readonly url: string } {
  const served = { url: "" };
  let server: Server | undefined;
  beforeAll(async () => {
    const listening = await listen((await testServer()).yoga);
    server = listening.server;
    served.url = `${listening.origin}/graphql`;
  });
  afterAll(() => void server?.close());
  return served;
}
