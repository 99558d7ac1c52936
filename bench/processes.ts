// The bench's processes: a server (Keyward or bare Yoga) timed from spawn to its first answer, its
// memory, and the bench's own scripts run apart from it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../test/helpers/process.ts";

const root = join(import.meta.dirname, "..");
export const TYPENAME = JSON.stringify({ query: "{ __typename }" });

export interface Served {
  child: ChildProcess;
  url: string;
  /** From spawn to the first answered GraphQL request, in ms. */
  startMs: number;
  stop(): Promise<void>;
}

/** Starts a server process and times it from spawn to its first answer to `{ __typename }`. */
export async function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  // Drained as a log collector would: the request log's cost is part of what is measured.
  child.stdout!.on("data", (c: Buffer) => void (output.length < 20_000 && (output += c)));
  child.stderr!.on("data", (c: Buffer) => void (output += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited early:\n${output}`);
    if (performance.now() - started > 60_000) throw new Error(`${args.join(" ")} did not answer within 60 s:\n${output}`);
    const ok = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: TYPENAME })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startMs = performance.now() - started;
  return {
    child,
    url,
    startMs,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Resident set size in MB, as the operating system counts it. */
export function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * Runs `bench/<script>` in a process of its own, handing it `spec` in `file` (its first argument),
 * and answers the JSON it prints.
 */
export async function runScript<T>(script: string, file: string, spec: unknown): Promise<T> {
  await writeFile(file, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "bench", script), file], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`bench/${script} exited ${code}`))));
  });
}
