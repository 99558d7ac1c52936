import { expect, it } from "vitest";
import { compileAllowlist, parseIpRanges } from "../server/domain/ipRanges.ts";
it("allowlists normalize addresses and CIDR ranges, refuse anything else, and match IPv4, IPv6 and mapped clients", () => {
  expect(parseIpRanges(["10.1.2.3/8", " 192.168.1.7 ", "2001:DB8:0:0:1::1/64", "::1", "2001:db8::", "::ffff:1.2.3.4", "0.0.0.0/0"], "allowedIps"))
    .toEqual(["10.0.0.0/8", "192.168.1.7", "2001:db8::/64", "::1", "2001:db8::", "1.2.3.4", "0.0.0.0/0"]);
  for (const bad of ["10.0.0.1/33", "1.2.3", "10.0.0.0/8/1", "::1/129", "abc", "", "10.0.0.0/", "1.2.3.4/ 8"]) expect(() => parseIpRanges([bad], "f")).toThrow(/f/);
  const l = compileAllowlist(parseIpRanges(["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"], "x"));
  expect([l.allows("10.9.9.9"), l.allows("11.0.0.1"), l.allows("::ffff:10.1.1.1"), l.allows("2001:db8:1::5"), l.allows("2001:db9::1"), l.allows("192.168.1.7"), l.allows(null), l.allows("junk")])
    .toEqual([true, false, true, true, false, true, false, false]);
});
