import type { YogaLogger } from "graphql-yoga";

/** Any Keyward key or invitation code in a log line is cut to its public prefix, whatever logged it. */
const KEY_IN_TEXT = /(kw_(?:live|test)_[0-9A-Za-z]{0,12}|kwinv_)[0-9A-Za-z_]*/g;

function redact(text: string): string {
  return text.replace(KEY_IN_TEXT, "$1…[redacted]");
}

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger extends YogaLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

/** JSON lines on stdout (one object per line), keys redacted. */
export function createLogger(
  level: Level = "info",
  write: (line: string) => void = (line) => void process.stdout.write(line + "\n"),
): Logger {
  const emit = (at: Level, args: unknown[]) => {
    if (order[at] < order[level]) return;
    const [first, ...rest] = args;
    const fields: Record<string, unknown> = { time: new Date().toISOString(), level: at };
    if (first instanceof Error) {
      fields.msg = first.message;
      fields.err = { name: first.name, message: first.message, stack: first.stack };
    } else {
      fields.msg = typeof first === "string" ? first : JSON.stringify(first);
    }
    for (const extra of rest) if (extra && typeof extra === "object") Object.assign(fields, extra);
    write(redact(JSON.stringify(fields)));
  };
  return {
    debug: (...args: unknown[]) => emit("debug", args),
    info: (...args: unknown[]) => emit("info", args),
    warn: (...args: unknown[]) => emit("warn", args),
    error: (...args: unknown[]) => emit("error", args),
  };
}
