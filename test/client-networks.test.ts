import { describe, expect, it } from "vitest";
import { FailureLimiter } from "../server/infra/rateLimit.ts";
import { throttlingKey } from "../server/http/request.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { post, send } from "./helpers/http.ts";
import { yogaWith } from "./helpers/yoga.ts";

// Client addresses are set as a trusted proxy would: the last X-Forwarded-For entry.

describe("failed-authentication throttling by network", () => {
  it("counts an IPv6 client by its /64: 40 addresses of one /64 are one client", async () => {
    const org = await seedOrganization();
    // The production limit: 30 failures a minute from one client.
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { authByClient: new FailureLimiter(30, 60_000) });
    const from = (ip: string, key: string) => send(yoga, post(`{ viewer { role } }`, { "x-api-key": key, "x-forwarded-for": ip }));
    expect((await from("2001:db8:77:1::99", org.adminKey)).status).toBe(200); // in use, so in memory
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      // One address per attempt, written the ways clients and proxies write them.
      const address = i % 3 === 0 ? `2001:0DB8:0077:0001:0000:0000:0000:${i.toString(16)}` : i % 3 === 1 ? `2001:db8:77:1::${i.toString(16)}` : `2001:db8:77:1:${i}:ab:cd:ef`;
      statuses.push((await from(address, `kw_live_wrong${i}`)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    // Its keys in use still pass; the next /64 is another client.
    expect((await from("2001:db8:77:1::99", org.adminKey)).status).toBe(200);
    expect((await from("2001:db8:77:2::1", "kw_live_wrong")).status).toBe(401);
  });

  it("counts an IPv4-mapped IPv6 address as the IPv4 address, and IPv4 clients one address each", async () => {
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { authByClient: new FailureLimiter(4, 60_000) });
    const from = (ip: string) => send(yoga, post(`{ viewer { role } }`, { "x-api-key": "kw_live_wrong", "x-forwarded-for": ip }));
    for (const ip of ["::ffff:198.51.100.23", "::FFFF:198.51.100.23", "::ffff:c633:6417", "0:0:0:0:0:ffff:198.51.100.23"]) {
      expect([ip, (await from(ip)).status]).toEqual([ip, 401]);
    }
    expect((await from("198.51.100.23")).status).toBe(429);
    expect((await from("::ffff:198.51.100.23")).status).toBe(429);
    expect((await from("198.51.100.24")).status).toBe(401);
    expect((await from("::ffff:198.51.100.25")).status).toBe(401);
  });

  it("counts sign-ups by network too", async () => {
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { signUps: new FailureLimiter(2, 60_000) });
    const signUp = (ip: string) =>
      send(
        yoga,
        post(`mutation { signUp(input: { organizationName: "Net ${crypto.randomUUID()}", email: "n-${crypto.randomUUID()}@example.com" }) { organization { id } } }`, {
          "x-forwarded-for": ip,
        }),
      );
    expect((await signUp("2001:db8:99:5::1")).status).toBe(200);
    expect((await signUp("2001:db8:99:5::2")).status).toBe(200);
    const limited = await signUp("2001:db8:99:5:dead:beef:0:3");
    expect([limited.status, limited.code]).toEqual([429, "RATE_LIMITED"]);
  });
});

describe("throttlingKey", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["[::ffff:203.0.113.7]:443", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::ffff", "2001:db8:1:2::/64"],
    ["[2001:db8:1:2::1]:8443", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["64:ff9b::198.51.100.1", "64:ff9b:0:0::/64"],
    ["unknown", "unknown"],
    ["not an address", "not an address"],
    ["1.2.3.999", "1.2.3.999"],
  ])("%s → %s", (address, key) => {
    expect(throttlingKey(address)).toBe(key);
  });
});
