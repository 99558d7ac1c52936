import { parseArgs } from "node:util";
import { Keyward, KeywardError, type ApiKeyEnvironment, type ApiKeyKind, type ApiKeyStatus, type Scope } from "../../sdk/src/index.ts";
import { MAX_GRACE_SECONDS } from "../domain/apiKeys.ts";
import { organizationKeyKinds } from "../auth/principal.ts";
import { scopes } from "../auth/scopes.ts";
import { ApiKeyEnvironment as environments, ApiKeyStatus as statuses } from "../generated/prisma/enums.ts";
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
  url: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
  name: { type: "string" },
  scopes: { type: "string" },
  env: { type: "string" },
  kind: { type: "string" },
  status: { type: "string" },
  grace: { type: "string" },
} as const;

interface Printable {
  id: string;
  name: string;
  status: string;
  maskedKey: string;
  scopes: readonly string[];
  lastUsedAt?: string | null;
}

/** `keyward keys …`: key management against a running Keyward, through the SDK. */
export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const [action, id] = positionals;
  const url = values.url ?? process.env.KEYWARD_URL ?? `http://localhost:${process.env.PORT ?? 4000}/graphql`;
  const key = values.key ?? process.env.KEYWARD_KEY;
  if (!key) throw new UsageError("keys needs an API key: --key <key> or KEYWARD_KEY.");
  const kw = new Keyward({ url, apiKey: key });
  const print = (value: unknown, text: string) => process.stdout.write((values.json ? JSON.stringify(value, null, 2) : text) + "\n");
  const line = (k: Printable) => `${k.id}  ${k.status.padEnd(8)}  ${k.maskedKey}  ${k.name}  [${k.scopes.join(",")}]`;
  try {
    switch (action) {
      case "create": {
        if (!values.name) throw new UsageError("keys create needs --name <name>.");
        const created = await kw.createApiKey({
          name: values.name,
          ...(values.scopes !== undefined ? { scopes: someOf("--scopes", values.scopes, allowed.scopes) } : {}),
          ...(values.env !== undefined ? { environment: oneOf("--env", values.env, allowed.environments) } : {}),
          ...(values.kind !== undefined ? { kind: oneOf("--kind", values.kind, allowed.kinds) } : {}),
        });
        print(created, `${line(created.apiKey)}\n\n    ${created.secret}\n\nThe key is shown this once; store it now.`);
        return 0;
      }
      case "list": {
        const keys: Printable[] = [];
        const status = values.status !== undefined ? oneOf("--status", values.status, allowed.statuses) : undefined;
        for await (const k of kw.paginate.apiKeys({ first: 100, ...(status ? { status } : {}) })) keys.push(k);
        print(keys, keys.length ? keys.map(line).join("\n") : "no keys");
        return 0;
      }
      case "rotate": {
        if (!id) throw new UsageError("keys rotate needs the key's id.");
        const grace = Number(values.grace ?? 0);
        if (!/^\d+$/.test(values.grace ?? "0") || grace > MAX_GRACE_SECONDS) {
          throw new UsageError(`--grace takes a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}.`);
        }
        const rotated = await kw.rotateApiKey({ id, gracePeriodSeconds: grace });
        print(rotated, `${line(rotated.apiKey)}\n\n    ${rotated.secret}\n\nThe new key is shown this once; the old one works for ${grace} s.`);
        return 0;
      }
      case "revoke": {
        if (!id) throw new UsageError("keys revoke needs the key's id.");
        const { apiKey } = await kw.revokeApiKey({ id });
        print(apiKey, line(apiKey));
        return 0;
      }
      default:
        throw new UsageError(`keys: unknown action "${action ?? ""}"; use create, list, rotate or revoke.`);
    }
  } catch (error) {
    if (!(error instanceof KeywardError)) throw error;
    if (values.json) process.stdout.write(JSON.stringify({ error: { code: error.code, message: error.message } }) + "\n");
    process.stderr.write(`keyward: ${error.code}: ${error.message}\n`);
    return 1;
  }
}
