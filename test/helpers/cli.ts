import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

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
