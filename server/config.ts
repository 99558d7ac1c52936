import { resolve } from "node:path";

/** Keyward's configuration, read from environment variables and validated once at start. */
export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** `postgresql://…`; when absent, embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * PostgreSQL: the longest a request waits to connect, for a pooled connection, or for a
   * statement's answer before it is answered 503 UNAVAILABLE; also how long a heartbeat of the
   * key change listener may take.
   */
  databaseTimeoutMs: number;
  /** PostgreSQL: statements that repeat are prepared once per connection (off for a PgBouncer older than 1.21 in transaction mode). */
  preparedStatements: boolean;
  /** PostgreSQL: how often the key change listener's connection is checked. */
  listenerHeartbeatMs: number;
  publicUrl: string;
  signup: "open" | "closed";
  usageFlushMs: number;
  /** How often the dormant-key sweep runs (organizations' `disableUnusedAfterDays`); 0: never on this instance. */
  dormantSweepMs: number;
  trustProxy: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Refuse plain HTTP with 403 HTTPS_REQUIRED (TLS of our own, or a trusted proxy's). */
  requireHttps: boolean;
  tls: { certFile: string; keyFile: string } | null;
  /** Browser origins allowed by CORS; empty: CORS closed. */
  corsOrigins: string[];
  maxBodyBytes: number;
  /** Node server limits against slow and hoarding clients (see httpServer.ts). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  introspection: boolean;
  graphiql: boolean;
  /** Prometheus metrics at /metrics. */
  metrics: boolean;
  /** The console (the key page at `/`) and its sign-in. */
  console: boolean;
  /** Console sessions end after this long unused, and this long after sign-in whatever happens. */
  session: { idleMs: number; maxMs: number };
  /** First boot: the organization and admin that the first key is issued to. */
  bootstrap: { organizationName: string; adminEmail: string };
}

export class ConfigError extends Error {}

const HOUR_MS = 3_600_000;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === "production";
  const port = integer(env, "PORT", 4000, 0, 65535);
  const host = env.HOST || (production ? "0.0.0.0" : "127.0.0.1");
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgresql:// (leave it unset for the embedded database).");
  }
  const ownTls = tls(env);
  // What clients and agents are told to use: with Keyward's own TLS, plain HTTP would not answer.
  const publicUrl = (env.KEYWARD_PUBLIC_URL || `${ownTls ? "https" : "http"}://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:$/.test(protocolOf(publicUrl))) {
    throw new ConfigError(`KEYWARD_PUBLIC_URL must be an http:// or https:// URL, got "${publicUrl}".`);
  }
  // Node refuses a headers timeout longer than the request timeout; say so in our words.
  const requestTimeoutMs = integer(env, "KEYWARD_REQUEST_TIMEOUT_MS", 30_000, 100, 3_600_000);
  const headersTimeoutMs = integer(env, "KEYWARD_HEADERS_TIMEOUT_MS", Math.min(10_000, requestTimeoutMs), 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`KEYWARD_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than KEYWARD_REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`);
  }
  return {
    port,
    host,
    production,
    databaseUrl,
    dataDir: resolve(env.KEYWARD_DATA_DIR || ".keyward"),
    databaseTimeoutMs: integer(env, "KEYWARD_DATABASE_TIMEOUT_MS", 5_000, 100, 300_000),
    preparedStatements: boolean(env, "KEYWARD_DATABASE_PREPARED_STATEMENTS", true),
    listenerHeartbeatMs: integer(env, "KEYWARD_LISTENER_HEARTBEAT_MS", 5_000, 100, 300_000),
    publicUrl,
    signup: oneOf(env, "KEYWARD_SIGNUP", ["closed", "open"] as const, "closed"),
    usageFlushMs: integer(env, "KEYWARD_USAGE_FLUSH_MS", 10_000, 100, 3_600_000),
    dormantSweepMs: integer(env, "KEYWARD_DORMANT_SWEEP_MINUTES", 60, 0, 7 * 24 * 60) * 60_000,
    trustProxy: oneOf(env, "KEYWARD_TRUST_PROXY", ["false", "true"] as const, "false") === "true",
    logLevel: oneOf(env, "KEYWARD_LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    requireHttps: boolean(env, "KEYWARD_REQUIRE_HTTPS", production),
    tls: ownTls,
    corsOrigins: origins(env),
    maxBodyBytes: integer(env, "KEYWARD_MAX_BODY_BYTES", 1_048_576, 1_024, 104_857_600),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, "KEYWARD_KEEP_ALIVE_TIMEOUT_MS", 5_000, 100, 3_600_000),
    maxConnections: integer(env, "KEYWARD_MAX_CONNECTIONS", 1_000, 1, 1_000_000),
    introspection: boolean(env, "KEYWARD_INTROSPECTION", !production),
    graphiql: boolean(env, "KEYWARD_GRAPHIQL", !production),
    metrics: boolean(env, "KEYWARD_METRICS", true),
    console: boolean(env, "KEYWARD_CONSOLE", true),
    session: {
      idleMs: integer(env, "KEYWARD_SESSION_IDLE_HOURS", 12, 1, 24 * 90) * HOUR_MS,
      maxMs: integer(env, "KEYWARD_SESSION_MAX_DAYS", 7, 1, 365) * 24 * HOUR_MS,
    },
    bootstrap: {
      organizationName: env.KEYWARD_ORG_NAME || "My Organization",
      adminEmail: env.KEYWARD_ADMIN_EMAIL || "admin@localhost",
    },
  };
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return "";
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(", ")}, got "${raw}".`);
  }
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, ["true", "false"] as const, fallback ? "true" : "false") === "true";
}

function tls(env: Env): Config["tls"] {
  const certFile = env.KEYWARD_TLS_CERT;
  const keyFile = env.KEYWARD_TLS_KEY;
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) throw new ConfigError("KEYWARD_TLS_CERT and KEYWARD_TLS_KEY go together: set both or neither.");
  return { certFile, keyFile };
}

function origins(env: Env): string[] {
  const raw = env.KEYWARD_CORS_ORIGINS?.trim();
  if (!raw) return [];
  return raw.split(",").map((origin) => {
    const trimmed = origin.trim().replace(/\/+$/, "");
    try {
      if (new URL(trimmed).origin !== trimmed) throw new Error();
    } catch {
      throw new ConfigError(`KEYWARD_CORS_ORIGINS must list origins like https://app.example.com, got "${origin.trim()}".`);
    }
    return trimmed;
  });
}
