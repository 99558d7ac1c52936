import type { ApiKeyEnvironment, ApiKeyKind, CreateApiKeyPayload, Scope } from "@keyward/sdk";
import { useEffect, useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { useAction, useLoad } from "../hooks.ts";
import { allScopes, scopeWords } from "../labels.ts";
import { useSigned } from "../session.ts";
import { BusyButton } from "./BusyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

type Expiry = "never" | "30" | "90" | "date";

interface CreateKeyDialogProps {
  onCancel: () => void;
  onCreated: (created: CreateApiKeyPayload) => void;
}

/**
 * "Create API key": name, environment, scopes (only those the person holds), the product's own
 * permissions (when its catalogue has any), expiry → "Generate key".
 */
export function CreateKeyDialog({ onCancel, onCreated }: CreateKeyDialogProps) {
  const keyward = useKeyward();
  const { scopes: held, isAdmin } = useSigned();
  const offered = allScopes.filter((scope) => held.includes(scope));
  // Reading these needs ORG_READ, which every member holds; without it, no permission is offered.
  const loaded = useLoad(
    () => (held.includes("ORG_READ") ? Promise.all([keyward.permissionCatalog(), keyward.organization()]) : Promise.resolve(null)),
    [],
  ).data;
  const catalog = loaded?.[0] ?? [];
  const [permissions, setPermissions] = useState<string[]>([]);
  const [scopesTouched, setScopesTouched] = useState(false);
  const [name, setName] = useState("");
  const [environment, setEnvironment] = useState<ApiKeyEnvironment>("LIVE");
  const [kind, setKind] = useState<ApiKeyKind>("PERSONAL");
  const [scopes, setScopes] = useState<Scope[]>(offered);
  const [expiry, setExpiry] = useState<Expiry>("never");
  const [date, setDate] = useState("");
  const generate = useAction(async () => {
    const created = await keyward.createApiKey({ name: name.trim(), environment, kind, scopes, permissions, expiresAt: expiresAt(expiry, date) });
    onCreated(created);
  });
  // As the server's own default: in an organization a platform made, Keyward's scopes are opt-in.
  const createdByPlatform = loaded?.[1].createdByPlatform ?? false;
  useEffect(() => {
    if (createdByPlatform && !scopesTouched) setScopes([]);
  }, [createdByPlatform]);
  const toggle = (scope: Scope, on: boolean) => {
    setScopesTouched(true);
    setScopes((current) => (on ? allScopes.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope)));
  };
  const togglePermission = (name: string, on: boolean) =>
    setPermissions((current) => (on ? catalog.map((p) => p.name).filter((n) => n === name || current.includes(n)) : current.filter((n) => n !== name)));
  // In an organization a platform made, keys are for the product's API: no scope is a fine key.
  const empty = scopes.length === 0 && permissions.length === 0;
  const nothing = empty && !createdByPlatform;
  const submit = (event: Event) => {
    event.preventDefault();
    void generate.run();
  };
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  return (
    <Dialog title="Create API key" onCancel={generate.busy ? undefined : onCancel}>
      <form onSubmit={submit} class="form">
        <div class="field">
          <label for="key-name">Name</label>
          <input id="key-name" name="name" required maxLength={100} autoComplete="off" placeholder="e.g. Cursor, Zapier, CRM Integration" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <fieldset>
          <legend>Environment</legend>
          <label class="inline">
            <input type="radio" name="environment" checked={environment === "LIVE"} onChange={() => setEnvironment("LIVE")} /> Live
          </label>
          <label class="inline">
            <input type="radio" name="environment" checked={environment === "TEST"} onChange={() => setEnvironment("TEST")} /> Test
          </label>
        </fieldset>
        {isAdmin && (
          <fieldset>
            <legend>Owner</legend>
            <label class="inline">
              <input type="radio" name="kind" checked={kind === "PERSONAL"} onChange={() => setKind("PERSONAL")} /> Personal (yours; stops when you leave)
            </label>
            <label class="inline">
              <input type="radio" name="kind" checked={kind === "SERVICE"} onChange={() => setKind("SERVICE")} /> Service (the organization's)
            </label>
          </fieldset>
        )}
        <fieldset>
          <legend>Scopes</legend>
          <div class="checks">
            {offered.map((scope) => (
              <label class="inline">
                <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} /> {scopeWords[scope]}
              </label>
            ))}
          </div>
        </fieldset>
        {catalog.length > 0 && (
          <fieldset>
            <legend>Permissions</legend>
            <div class="checks permission-checks">
              {catalog.map((permission) => (
                <label class="inline permission-check">
                  <input type="checkbox" checked={permissions.includes(permission.name)} onChange={(e) => togglePermission(permission.name, e.currentTarget.checked)} />{" "}
                  <code>{permission.name}</code>
                  {permission.description && <span class="muted"> {permission.description}</span>}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <div class="field">
          <label for="key-expiry">Expires</label>
          <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value as Expiry)}>
            <option value="never">Never</option>
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
            <option value="date">On a date…</option>
          </select>
        </div>
        {expiry === "date" && (
          <div class="field">
            <label for="key-expiry-date">Expiry date</label>
            <input id="key-expiry-date" type="date" required min={tomorrow} value={date} onInput={(e) => setDate(e.currentTarget.value)} />
          </div>
        )}
        <ErrorNote error={generate.error} />
        {empty && createdByPlatform && <p class="muted">With no scope, this key is for the service's own API only.</p>}
        {nothing && <p class="muted">{catalog.length > 0 ? "Pick at least one scope or permission." : "Pick at least one scope."}</p>}
        <div class="actions">
          <button type="button" class="button" onClick={onCancel} disabled={generate.busy}>
            Cancel
          </button>
          <BusyButton type="submit" class="button primary" busy={generate.busy} busyLabel="Generating…" disabled={nothing}>
            Generate key
          </BusyButton>
        </div>
      </form>
    </Dialog>
  );
}

function expiresAt(expiry: Expiry, date: string): string | undefined {
  if (expiry === "never") return undefined;
  if (expiry === "date") return new Date(`${date}T23:59:59`).toISOString();
  return new Date(Date.now() + Number(expiry) * 24 * 3600 * 1000).toISOString();
}
