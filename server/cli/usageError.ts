/** The command line was wrong: exit code 2 and a one-line explanation. */
export class UsageError extends Error {}

/**
 * A flag's value (any case) as one of the server's own values, checked before any request:
 * a value that can only be refused is wrong usage, not a refusal.
 */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const upper = value.trim().toUpperCase();
  if ((allowed as readonly string[]).includes(upper)) return upper as T;
  throw new UsageError(`${flag} takes ${listed(allowed)}; got ${JSON.stringify(value)}.`);
}

/** A comma-separated flag's values, each one of `allowed`. */
export function someOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const values = value.split(",").filter((v) => v.trim() !== "");
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v.trim().toUpperCase()));
  if (values.length === 0 || unknown.length > 0) {
    const got = (unknown.length ? unknown : [value]).map((v) => JSON.stringify(v)).join(", ");
    throw new UsageError(`${flag} takes a comma-separated list of ${listed(allowed, ", ")}; got ${got}.`);
  }
  return values.map((v) => v.trim().toUpperCase() as T);
}

const listed = (allowed: readonly string[], separator = "|") => allowed.map((a) => a.toLowerCase()).join(separator);
