import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config.ts";

describe("KEYWARD_PUBLIC_URL", () => {
  it("defaults to the scheme Keyward actually serves, so agents are handed a URL that answers", () => {
    expect(loadConfig({ PORT: "4100" }).publicUrl).toBe("http://localhost:4100");
    expect(loadConfig({ PORT: "4100", KEYWARD_TLS_CERT: "cert.pem", KEYWARD_TLS_KEY: "key.pem" }).publicUrl).toBe("https://localhost:4100");
    expect(loadConfig({ KEYWARD_PUBLIC_URL: "https://keys.example.com/" }).publicUrl).toBe("https://keys.example.com");
  });

  it("must be an http(s) URL", () => {
    for (const bad of ["keys.example.com", "ftp://keys.example.com", "javascript:alert(1)"]) {
      expect(() => loadConfig({ KEYWARD_PUBLIC_URL: bad }), bad).toThrow(ConfigError);
    }
  });
});

describe("KEYWARD_DATABASE_TIMEOUT_MS", () => {
  it("bounds every wait for PostgreSQL, 5 s by default, and refuses what is not a duration", () => {
    expect(loadConfig({}).databaseTimeoutMs).toBe(5_000);
    expect(loadConfig({ KEYWARD_DATABASE_TIMEOUT_MS: "1500" }).databaseTimeoutMs).toBe(1_500);
    for (const bad of ["0", "-1", "5s", "1.5", "300001"]) {
      expect(() => loadConfig({ KEYWARD_DATABASE_TIMEOUT_MS: bad }), bad).toThrow(/KEYWARD_DATABASE_TIMEOUT_MS/);
    }
  });
});

describe("KEYWARD_DATABASE_PREPARED_STATEMENTS", () => {
  it("is on by default, can be turned off (a PgBouncer older than 1.21 in transaction mode), and refuses anything but true or false", () => {
    expect(loadConfig({}).preparedStatements).toBe(true);
    expect(loadConfig({ KEYWARD_DATABASE_PREPARED_STATEMENTS: "false" }).preparedStatements).toBe(false);
    for (const bad of ["no", "0", "off"]) {
      expect(() => loadConfig({ KEYWARD_DATABASE_PREPARED_STATEMENTS: bad }), bad).toThrow(/KEYWARD_DATABASE_PREPARED_STATEMENTS/);
    }
  });
});

describe("KEYWARD_LISTENER_HEARTBEAT_MS", () => {
  it("checks the key change listener every 5 s by default", () => {
    expect(loadConfig({}).listenerHeartbeatMs).toBe(5_000);
    expect(loadConfig({ KEYWARD_LISTENER_HEARTBEAT_MS: "250" }).listenerHeartbeatMs).toBe(250);
    for (const bad of ["0", "99", "fast"]) expect(() => loadConfig({ KEYWARD_LISTENER_HEARTBEAT_MS: bad }), bad).toThrow(/KEYWARD_LISTENER_HEARTBEAT_MS/);
  });
});

describe("HTTP server limits", () => {
  it("default to 10 s for headers, 30 s for a request, 5 s idle keep-alive and 1,000 connections", () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 });
    const set = loadConfig({
      KEYWARD_HEADERS_TIMEOUT_MS: "2000",
      KEYWARD_REQUEST_TIMEOUT_MS: "4000",
      KEYWARD_KEEP_ALIVE_TIMEOUT_MS: "65000",
      KEYWARD_MAX_CONNECTIONS: "50",
    });
    expect(set).toMatchObject({ headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 65_000, maxConnections: 50 });
    // A request timeout under the default headers timeout brings the headers timeout down with it.
    expect(loadConfig({ KEYWARD_REQUEST_TIMEOUT_MS: "500" }).headersTimeoutMs).toBe(500);
  });

  it("refuses values that would switch a limit off or cannot hold", () => {
    for (const env of [
      { KEYWARD_REQUEST_TIMEOUT_MS: "0" },
      { KEYWARD_HEADERS_TIMEOUT_MS: "0" },
      { KEYWARD_KEEP_ALIVE_TIMEOUT_MS: "0" },
      { KEYWARD_MAX_CONNECTIONS: "0" },
      { KEYWARD_MAX_CONNECTIONS: "lots" },
      { KEYWARD_REQUEST_TIMEOUT_MS: "1.5" },
      { KEYWARD_HEADERS_TIMEOUT_MS: "20000", KEYWARD_REQUEST_TIMEOUT_MS: "10000" },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});
