import { parseArgs } from "node:util";
import { KeyCache } from "../auth/cache.ts";
import { KeyChanges } from "../auth/changes.ts";
import { platformScopes } from "../auth/platformScopes.ts";
import type { Config } from "../config.ts";
import type { PlatformActor } from "../domain/audit.ts";
import { keylessChange } from "../domain/change.ts";
import { issuePlatformKey, revokePlatformKey } from "../domain/platformKeys.ts";
import { KeywardError } from "../errors.ts";
import type { ApiKey } from "../generated/prisma/client.ts";
import { printer, refusal } from "./client.ts";
import { open } from "./database.ts";
import { someOf, UsageError } from "./usageError.ts";

const options = { name: { type: "string" }, scopes: { type: "string" }, json: { type: "boolean", default: false } } as const;

/** Made on Keyward's own machine: audited at platform level, with no key as actor. */
const machine: PlatformActor = { ip: null, userAgent: null, organizationId: null, keyId: null, userId: null, via: "cli" };

const line = (k: ApiKey) => `${k.id}  ${k.status.padEnd(8)}  ${k.name}  [${k.scopes.join(",")}]`;
const printable = (k: ApiKey) => ({ id: k.id, name: k.name, status: k.status, scopes: k.scopes, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt });

/**
 * `keyward platform-keys create|list|revoke`: on Keyward's machine, opening the database as
 * `init` does (there is no platform key yet to call the API with). A revocation is announced to
 * running instances (PostgreSQL NOTIFY), which refuse the key from their next request.
 */
export async function platformKeysCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const [action, id] = positionals;
  if (action === "create" && !values.name) throw new UsageError("platform-keys create needs --name <name>.");
  if (action === "revoke" && !id) throw new UsageError("platform-keys revoke needs the key's id.");
  if (action !== "create" && action !== "list" && action !== "revoke") {
    throw new UsageError(`platform-keys: unknown action "${action ?? ""}"; use create, list or revoke.`);
  }
  const scopes = values.scopes === undefined ? undefined : someOf("--scopes", values.scopes, platformScopes);
  const print = printer(values.json);
  const db = await open(config);
  const services = { prisma: db.prisma, keyChanges: new KeyChanges(new KeyCache()) };
  try {
    if (action === "create") {
      const { platformKey, secret } = await keylessChange(services, (step) => issuePlatformKey(step, machine, { name: values.name!, scopes }, null));
      print({ platformKey: printable(platformKey), secret }, `${line(platformKey)}\n\n    ${secret}\n\nThe platform key is shown this once; store it now.`);
    } else if (action === "list") {
      const keys = await db.prisma.apiKey.findMany({ where: { kind: "PLATFORM" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      print(keys.map(printable), keys.length ? keys.map(line).join("\n") : "no platform keys");
    } else {
      const revoked = await keylessChange(services, (step) => revokePlatformKey(step, machine, id!));
      print(printable(revoked), line(revoked));
    }
    return 0;
  } catch (error) {
    if (!(error instanceof KeywardError)) throw error;
    return refusal(String(error.extensions.code), error.message, values.json);
  } finally {
    await db.close();
  }
}
