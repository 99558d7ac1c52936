import { parseArgs } from "node:util";
import type { ApiKeyEnvironment, ApiKeyKind, ApiKeyStatus, Scope } from "../../sdk/src/index.ts";
import { MAX_GRACE_SECONDS } from "../domain/apiKeys.ts";
import { organizationKeyKinds } from "../auth/principal.ts";
import { scopes } from "../auth/scopes.ts";
import { ApiKeyEnvironment as environments, ApiKeyStatus as statuses } from "../generated/prisma/enums.ts";
import { clientOptions, required, withClient } from "./client.ts";
import { oneOf, someOf, UsageError } from "./usageError.ts";

// The server's own lists (the schema's enums are built from them); typed as the SDK's enums,
// so a value the SDK does not know fails to compile.
const allowed = {
  scopes: scopes satisfies readonly Scope[],
  environments: Object.values(environments) satisfies ApiKeyEnvironment[],
  kinds: organizationKeyKinds satisfies readonly ApiKeyKind[],
  statuses: Object.values(statuses) satisfies ApiKeyStatus[],
};

const options = {
  ...clientOptions,
  name: { type: "string" },
  scopes: { type: "string" },
  env: { type: "string" },
  kind: { type: "string" },
  status: { type: "string" },
  grace: { type: "string" },
  confirm: { type: "boolean", default: false },
} as const;

export interface Printable {
  id: string;
  name: string;
  status: string;
  maskedKey: string;
  scopes: readonly string[];
  lastUsedAt?: string | null;
}

export const keyLine = (k: Printable) => `${k.id}  ${k.status.padEnd(8)}  ${k.maskedKey}  ${k.name}  [${k.scopes.join(",")}]`;

const ACTIONS = "create, list, rotate, revoke, disable, enable, rename, delete or verify";

/** `keyward keys …`: key management against a running Keyward, through the SDK. */
export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const [action, argument] = positionals;
  const id = () => required(argument, `keys ${action} needs the key's id`);
  return withClient("keys", values, async ({ kw, print }) => {
    switch (action) {
      case "create": {
        if (!values.name) throw new UsageError("keys create needs --name <name>.");
        const created = await kw.createApiKey({
          name: values.name,
          ...(values.scopes !== undefined ? { scopes: someOf("--scopes", values.scopes, allowed.scopes) } : {}),
          ...(values.env !== undefined ? { environment: oneOf("--env", values.env, allowed.environments) } : {}),
          ...(values.kind !== undefined ? { kind: oneOf("--kind", values.kind, allowed.kinds) } : {}),
        });
        print(created, `${keyLine(created.apiKey)}\n\n    ${created.secret}\n\nThe key is shown this once; store it now.`);
        return 0;
      }
      case "list": {
        const keys: Printable[] = [];
        const status = values.status !== undefined ? oneOf("--status", values.status, allowed.statuses) : undefined;
        for await (const k of kw.paginate.apiKeys({ first: 100, ...(status ? { status } : {}) })) keys.push(k);
        print(keys, keys.length ? keys.map(keyLine).join("\n") : "no keys");
        return 0;
      }
      case "rotate": {
        const keyId = id();
        const grace = Number(values.grace ?? 0);
        if (!/^\d+$/.test(values.grace ?? "0") || grace > MAX_GRACE_SECONDS) {
          throw new UsageError(`--grace takes a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}.`);
        }
        const rotated = await kw.rotateApiKey({ id: keyId, gracePeriodSeconds: grace });
        print(rotated, `${keyLine(rotated.apiKey)}\n\n    ${rotated.secret}\n\nThe new key is shown this once; the old one works for ${grace} s.`);
        return 0;
      }
      case "revoke":
      case "disable":
      case "enable": {
        const input = { id: id() };
        const { apiKey } = await (action === "revoke" ? kw.revokeApiKey(input) : action === "disable" ? kw.disableApiKey(input) : kw.enableApiKey(input));
        print(apiKey, keyLine(apiKey));
        return 0;
      }
      case "rename": {
        const keyId = id();
        if (!values.name) throw new UsageError("keys rename needs --name <new name>.");
        const { apiKey } = await kw.renameApiKey({ id: keyId, name: values.name });
        print(apiKey, keyLine(apiKey));
        return 0;
      }
      case "delete": {
        const deleted = await kw.deleteApiKey({ id: id(), confirm: values.confirm });
        print(deleted, `deleted ${deleted.deletedApiKeyId}`);
        return 0;
      }
      case "verify": {
        // A key that is not valid is an answer, not a failure of the command; exit 1 lets scripts branch on it.
        const verified = await kw.verifyApiKey({ key: required(argument, "keys verify needs the key to check") });
        const text = verified.valid
          ? `valid  ${verified.key ? `${verified.key.id}  ${verified.key.name}  [${verified.scopes.join(",")}]` : ""}`.trimEnd()
          : `not valid: ${verified.code ?? "UNAUTHENTICATED"}`;
        print(verified, text);
        return verified.valid ? 0 : 1;
      }
      default:
        throw new UsageError(`keys: unknown action "${action ?? ""}"; use ${ACTIONS}.`);
    }
  });
}
