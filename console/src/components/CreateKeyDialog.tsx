import type { ApiKeyEnvironment, ApiKeyKind, CreateApiKeyPayload, Scope } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { useAction } from "../hooks.ts";
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

/** "Create API key": name, environment, scopes (only those the person holds), expiry → "Generate key". */
export function CreateKeyDialog({ onCancel, onCreated }: CreateKeyDialogProps) {
  const keyward = useKeyward();
  const { scopes: held, isAdmin } = useSigned();
  const offered = allScopes.filter((scope) => held.includes(scope));
  const [name, setName] = useState("");
  const [environment, setEnvironment] = useState<ApiKeyEnvironment>("LIVE");
  const [kind, setKind] = useState<ApiKeyKind>("PERSONAL");
  const [scopes, setScopes] = useState<Scope[]>(offered);
  const [expiry, setExpiry] = useState<Expiry>("never");
  const [date, setDate] = useState("");
  const generate = useAction(async () => {
    const created = await keyward.createApiKey({ name: name.trim(), environment, kind, scopes, expiresAt: expiresAt(expiry, date) });
    onCreated(created);
  });
  const toggle = (scope: Scope, on: boolean) => setScopes((current) => (on ? allScopes.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope)));
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
        {scopes.length === 0 && <p class="muted">Pick at least one scope.</p>}
        <div class="actions">
          <button type="button" class="button" onClick={onCancel} disabled={generate.busy}>
            Cancel
          </button>
          <BusyButton type="submit" class="button primary" busy={generate.busy} busyLabel="Generating…" disabled={scopes.length === 0}>
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
