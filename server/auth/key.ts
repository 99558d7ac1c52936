import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Keyward's key format: `kw_<env>_<id>_<secret><check>`.
 * - env: `live` | `test`
 * - id: 12 base62 characters, public, the row's primary key
 * - secret: 32 base62 characters from `crypto.randomBytes` (~190 bits)
 * - check: 6 base62 characters of CRC32 over everything before it, so typos and
 *   fakes are refused without touching the database (and secret scanners can tell
 *   a real Keyward key from a lookalike).
 */
export type KeyEnvironment = "live" | "test";

export interface ParsedKey {
  environment: KeyEnvironment;
  id: string;
  secret: string;
}

export interface NewKey extends ParsedKey {
  /** The full key, shown once. */
  key: string;
  secretHash: string;
  lastFour: string;
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_LENGTH = 12;
const SECRET_LENGTH = 32;
const CHECK_LENGTH = 6;
/** Length of every well-formed key; anything else is refused before a regex runs. */
export const KEY_LENGTH = "kw_live_".length + ID_LENGTH + 1 + SECRET_LENGTH + CHECK_LENGTH;
const KEY_PATTERN = /^kw_(live|test)_([0-9A-Za-z]{12})_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;
/**
 * Enough of a key's secret, or of an invitation code, to be one; the masked form has none. An
 * embedded key page's token (`kwe_`, server/auth/embeddedSessions.ts) counts whole.
 */
const SECRET_IN_TEXT = /kw_(?:live|test)_[0-9A-Za-z]{12}_[0-9A-Za-z]{8,}|kwinv_[0-9A-Za-z]{8,}|kwe_[0-9A-Za-z_-]{43}/;

/** Free text (a name) that holds a key or code: storing it would keep a secret in the clear. */
export function containsSecret(text: string): boolean {
  return SECRET_IN_TEXT.test(text);
}

/** Uniform base62 from the CSPRNG: bytes ≥ 248 are dropped so no character is favoured. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function base62(value: number, width: number): string {
  let out = "";
  let n = value;
  do {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

function checksum(body: string): string {
  return base62(crc32(body) >>> 0, CHECK_LENGTH);
}

/** What is stored of a secret (a key's, an invitation code): its SHA-256, in hex. */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

/** A stored hex digest as bytes, decoded once (the verification cache keeps these). */
export function digestBytes(storedHash: string): Buffer {
  return Buffer.from(storedHash, "hex");
}

/**
 * Constant-time comparison of a presented secret with a stored SHA-256 digest. On every
 * authenticated request: one-shot hashing, no hex round trips.
 */
export function secretMatches(secret: string, storedDigest: Uint8Array): boolean {
  const presented = hash("sha256", secret, "buffer");
  return storedDigest.length === presented.length && timingSafeEqual(presented, storedDigest);
}

export function formatKey(environment: KeyEnvironment, id: string, secret: string): string {
  const body = `kw_${environment}_${id}_${secret}`;
  return body + checksum(body);
}

export function generateKey(environment: KeyEnvironment, id = randomBase62(ID_LENGTH)): NewKey {
  const secret = randomBase62(SECRET_LENGTH);
  const key = formatKey(environment, id, secret);
  return { key, environment, id, secret, secretHash: hashSecret(secret), lastFour: key.slice(-4) };
}

/** `null` for anything that is not a well-formed key with a valid checksum. */
export function parseKey(candidate: string): ParsedKey | null {
  if (candidate.length !== KEY_LENGTH) return null;
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return null;
  const [, environment, id, secret, check] = match as unknown as [string, KeyEnvironment, string, string, string];
  if (checksum(candidate.slice(0, -CHECK_LENGTH)) !== check) return null;
  return { environment, id, secret };
}

export function maskKey(environment: KeyEnvironment, id: string, lastFour: string): string {
  return `kw_${environment}_${id}_…${lastFour}`;
}
