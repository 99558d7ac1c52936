import pino, { type DestinationStream, type Logger as Pino } from "pino";
import type { YogaLogger } from "graphql-yoga";

/** Any Keyward key or invitation code in a log line is cut to its public prefix, whatever logged it. */
const KEY_IN_TEXT = /(kw_(?:live|test)_[0-9A-Za-z]{0,12}|kwinv_)[0-9A-Za-z_]*/g;

function redact(text: string): string {
  return text.replace(KEY_IN_TEXT, "$1…[redacted]");
}

type Level = "debug" | "info" | "warn" | "error";

export interface Logger extends YogaLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

/**
 * JSON lines (one object per line: `time`, `level`, `msg`, and the fields), keys redacted, written
 * by pino. On stdout through an asynchronous destination (lines queue while a write is under way
 * and go out together; pino flushes what is left when the process exits). `write` (tests) receives
 * each line as it is logged, without its newline.
 */
export function createLogger(level: Level = "info", write?: (line: string) => void): Logger {
  const destination: DestinationStream = write
    ? { write: (line: string) => write(line.endsWith("\n") ? line.slice(0, -1) : line) }
    : pino.destination({ dest: 1, sync: false });
  const log = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // `err` is written as given ({ name, message, stack }), without pino's own error serializer.
      serializers: { err: (err: unknown) => err },
      // The whole line, error messages and stacks included: a key can arrive anywhere.
      hooks: { streamWrite: redact },
    },
    destination,
  );
  const emit = (at: Level, args: unknown[]) => {
    if (!log.isLevelEnabled(at)) return;
    const [first, ...rest] = args;
    // One object of fields is the common case (the request log): passed on as it is.
    let fields = rest.length === 1 && rest[0] && typeof rest[0] === "object" ? (rest[0] as Record<string, unknown>) : undefined;
    if (rest.length > 1) for (const extra of rest) if (extra && typeof extra === "object") fields = { ...fields, ...extra };
    if (first instanceof Error) {
      (log[at] as Pino["info"])({ ...fields, err: { name: first.name, message: first.message, stack: first.stack } }, first.message);
    } else {
      const msg = typeof first === "string" ? first : JSON.stringify(first);
      if (fields) (log[at] as Pino["info"])(fields, msg);
      else (log[at] as Pino["info"])(msg);
    }
  };
  return {
    debug: (...args: unknown[]) => emit("debug", args),
    info: (...args: unknown[]) => emit("info", args),
    warn: (...args: unknown[]) => emit("warn", args),
    error: (...args: unknown[]) => emit("error", args),
  };
}
