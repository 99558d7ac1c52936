import { spawn, type ChildProcess } from "node:child_process";
import { get as httpsGet } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

export interface RunningKeyward {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts Keyward as its own process, as `npm start` does (`keyward start`: the compiled build,
 * which the tests' global setup rebuilt from the sources), and waits until it serves.
 */
export async function startKeywardProcess(env: Record<string, string | undefined>, { tls = false } = {}): Promise<RunningKeyward> {
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/keyward.mjs", "start"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "development", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Keyward exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`Keyward did not start in time:\n${output}`);
    const up = await (tls ? insecureGet(`${url}/healthz`).then((r) => r.status === 200) : fetch(`${url}/healthz`).then((r) => r.ok)).catch(() => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** POSTs a GraphQL request to a running Keyward. */
export async function post(url: string, query: string, key?: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

/** GET over HTTPS trusting any certificate (tests use a self-signed one). */
export function insecureGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { rejectUnauthorized: false, headers }, (response) => {
      let body = "";
      response.on("data", (c) => (body += c));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
}
