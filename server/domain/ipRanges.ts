import { BlockList, isIP } from "node:net";
import { badInput } from "../errors.ts";

/** At most this many entries in one allowlist (a key's `allowedIps`, an organization's `defaultAllowedIps`). */
export const MAX_IP_RANGES = 100;

/**
 * Checks an allowlist as a client wrote it and returns it normalized: each entry an IPv4 or IPv6
 * address or CIDR range, written back in canonical form (`10.0.0.0/8`, `2001:db8::/32`; a bare
 * address stays bare). Anything else is BAD_USER_INPUT naming `field` and the entry.
 */
export function parseIpRanges(entries: readonly string[], field: string): string[] {
  if (entries.length > MAX_IP_RANGES) throw badInput(`${field} may hold at most ${MAX_IP_RANGES} entries.`, field);
  const normalized = entries.map((entry) => normalizeEntry(entry.trim(), field));
  return [...new Set(normalized)];
}

function normalizeEntry(entry: string, field: string): string {
  const invalid = () => badInput(`${field}: "${entry.slice(0, 60)}" is not an IPv4 or IPv6 address or CIDR range.`, field);
  const [written = "", prefixText, ...rest] = entry.split("/");
  const address = prefixText === undefined ? unmapped(written) : written;
  const family = isIP(address);
  if (family === 0 || rest.length > 0) throw invalid();
  const type = family === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) return canonicalAddress(address, type);
  const maxPrefix = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) throw invalid();
  return `${networkAddress(address, Number(prefixText), type)}/${Number(prefixText)}`;
}

/** An allowlist compiled once per key for the hot path; `allows` answers for one client address. */
export interface IpAllowlist {
  allows(address: string | null | undefined): boolean;
}

export function compileAllowlist(entries: readonly string[]): IpAllowlist {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return {
    allows(client) {
      if (!client) return false;
      const plain = unmapped(client);
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/** `::ffff:10.1.2.3` (IPv4 seen through an IPv6 socket) is the IPv4 address. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

function canonicalAddress(address: string, type: "ipv4" | "ipv6"): string {
  return type === "ipv4" ? address.split(".").map(Number).join(".") : formatIpv6(parseIpv6(address));
}

function networkAddress(address: string, prefix: number, type: "ipv4" | "ipv6"): string {
  if (type === "ipv4") {
    const value = address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const network = (value & mask) >>> 0;
    return [24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join(".");
  }
  const groups = parseIpv6(address);
  return formatIpv6(groups.map((group, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  }));
}

function parseIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const parts = v4[1]!.split(".").map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16));
}

/** RFC 5952: lower case, leading zeros dropped, the longest run of zero groups (≥ 2) as `::`. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
