import { Keyward, KeywardError } from "../../sdk/src/index.ts";
import { UsageError } from "./usageError.ts";

/** The options every command that talks to a running Keyward takes. */
export const clientOptions = {
  url: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

export interface Client {
  kw: Keyward;
  /** Prints `value` as JSON with `--json`, else `text`. */
  print(value: unknown, text: string): void;
}

/**
 * Runs `action` with an SDK client for `command`; a refusal or failure from Keyward is exit code 1
 * with its code on stderr (and, with `--json`, `{ error: { code, message } }` on stdout).
 */
export async function withClient(
  command: string,
  values: { url?: string | undefined; key?: string | undefined; json?: boolean | undefined },
  action: (client: Client) => Promise<number>,
): Promise<number> {
  const url = values.url ?? process.env.KEYWARD_URL ?? `http://localhost:${process.env.PORT ?? 4000}/graphql`;
  const key = values.key ?? process.env.KEYWARD_KEY;
  if (!key) throw new UsageError(`${command} needs an API key: --key <key> or KEYWARD_KEY.`);
  const kw = new Keyward({ url, apiKey: key });
  try {
    return await action({ kw, print: printer(values.json) });
  } catch (error) {
    if (!(error instanceof KeywardError)) throw error;
    return refusal(error.code, error.message, values.json);
  }
}

/** Prints `value` as JSON with `--json`, else `text`. */
export const printer =
  (json: boolean | undefined) =>
  (value: unknown, text: string): void =>
    void process.stdout.write((json ? JSON.stringify(value, null, 2) : text) + "\n");

/** A refusal from Keyward: its code on stderr (and, with `--json`, `{ error: { code, message } }` on stdout); exit code 1. */
export function refusal(code: string, message: string, json: boolean | undefined): number {
  if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + "\n");
  process.stderr.write(`keyward: ${code}: ${message}\n`);
  return 1;
}

/** The one positional argument `action` needs, or wrong usage. */
export function required(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`${usage}.`);
  return value;
}
