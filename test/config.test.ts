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

describe("KEYWARD_LISTENER_HEARTBEAT_MS", () => {
  it("checks the key change listener every 5 s by default", () => {
    expect(loadConfig({}).listenerHeartbeatMs).toBe(5_000);
    expect(loadConfig({ KEYWARD_LISTENER_HEARTBEAT_MS: "250" }).listenerHeartbeatMs).toBe(250);
    for (const bad of ["0", "99", "fast"]) expect(() => loadConfig({ KEYWARD_LISTENER_HEARTBEAT_MS: bad }), bad).toThrow(/KEYWARD_LISTENER_HEARTBEAT_MS/);
  });
});
