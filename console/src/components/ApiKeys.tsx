import type { ApiKey, CreateApiKeyPayload, Keyward, Membership } from "@keyward/sdk";
import { useEffect, useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { useLoad } from "../hooks.ts";
import { useSigned } from "../session.ts";
import { AgentHelper } from "./AgentHelper.tsx";
import { CreateKeyDialog } from "./CreateKeyDialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";
import { KeyCreatedDialog } from "./KeyCreatedDialog.tsx";
import { KeySection } from "./KeySection.tsx";

async function allKeys(keyward: Keyward, variables: { ownerId?: string; status?: "REVOKED" }): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  for await (const key of keyward.paginate.apiKeys({ first: 100, ...variables })) keys.push(key);
  return keys;
}

async function allMembers(keyward: Keyward): Promise<Membership[]> {
  const members: Membership[] = [];
  for await (const member of keyward.paginate.members({ first: 100 })) members.push(member);
  return members;
}

interface ApiKeysProps {
  /** The line under the heading: what the keys are for where the page is shown. */
  description?: string;
  /** The page's heading: h1 in the console; h2 inside a product's page, under its own h1. */
  headingLevel?: 1 | 2;
}

/**
 * "API keys": the person's keys (an admin's: everyone's, with an owner filter) in Enabled and
 * Disabled, and "Connect to an AI agent". The console's page and the embedded element
 * (`<keyward-api-keys>`) are both this component, each with its own client (src/client.ts).
 */
export function ApiKeys({
  description = "Keys authenticate programs calling Keyward. A key is shown in full only once, when it is created.",
  headingLevel = 1,
}: ApiKeysProps) {
  const Heading = headingLevel === 1 ? "h1" : "h2";
  const below: 2 | 3 = headingLevel === 1 ? 2 : 3;
  const keyward = useKeyward();
  const { session, scopes, isAdmin } = useSigned();
  const [showRevoked, setShowRevoked] = useState(false);
  const [owner, setOwner] = useState("");
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<{ title: string; payload: CreateApiKeyPayload } | null>(null);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const filter = owner ? { ownerId: owner } : {};
  const listed = useLoad(
    async () => [...(await allKeys(keyward, filter)), ...(showRevoked ? await allKeys(keyward, { ...filter, status: "REVOKED" }) : [])],
    [owner, showRevoked],
  );
  const members = useLoad(async () => (isAdmin ? allMembers(keyward) : []), [isAdmin]);
  useEffect(() => {
    if (listed.data) setKeys(listed.data);
  }, [listed.data]);

  const canWrite = (key: ApiKey) => scopes.includes("KEYS_WRITE") && (isAdmin || key.owner?.id === session.user.id);
  const replace = (changed: ApiKey) => setKeys((current) => current.map((key) => (key.id === changed.id ? changed : key)).filter((key) => showRevoked || key.status !== "REVOKED"));
  const remove = (id: string) => setKeys((current) => current.filter((key) => key.id !== id));
  const cardProps = { headingLevel: below, showOwner: isAdmin, canWrite, onChanged: replace, onDeleted: remove, onRotated: (payload: CreateApiKeyPayload) => setRevealed({ title: "Key rotated", payload }) };

  return (
    <>
      <div class="page-head">
        <Heading>API keys</Heading>
        {scopes.includes("KEYS_WRITE") && (
          <button type="button" class="button primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        )}
      </div>
      <p class="muted">{description}</p>
      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} /> Show revoked
        </label>
        {isAdmin && members.data && (
          <div class="field inline-field">
            <label for="owner-filter">Owner</label>
            <select id="owner-filter" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
              <option value="">Everyone</option>
              {members.data.map((member) => (
                <option value={member.user.id}>{member.user.email}</option>
              ))}
            </select>
          </div>
        )}
      </div>
      <ErrorNote error={listed.error} />
      <div aria-busy={listed.loading}>
        {listed.loading && !listed.data && <p class="muted">Loading keys…</p>}
        {listed.data && (
          <>
            <KeySection title="Enabled" keys={keys.filter((key) => key.status === "ENABLED")} empty="No enabled keys." {...cardProps} />
            <KeySection title="Disabled" keys={keys.filter((key) => key.status === "DISABLED")} empty="No disabled keys." {...cardProps} />
            {showRevoked && <KeySection title="Revoked" keys={keys.filter((key) => key.status === "REVOKED")} empty="No revoked keys." {...cardProps} />}
          </>
        )}
      </div>
      {scopes.includes("KEYS_WRITE") && (
        <div class="card">
          <AgentHelper mode={{ remote: { onCreated: listed.reload } }} headingLevel={below} />
        </div>
      )}
      {creating && (
        <CreateKeyDialog
          onCancel={() => setCreating(false)}
          onCreated={(payload) => {
            setCreating(false);
            setRevealed({ title: "API key created", payload });
          }}
        />
      )}
      {revealed && (
        <KeyCreatedDialog
          title={revealed.title}
          apiKey={revealed.payload.apiKey}
          secret={revealed.payload.secret}
          onDone={() => {
            setRevealed(null);
            listed.reload();
          }}
        />
      )}
    </>
  );
}
