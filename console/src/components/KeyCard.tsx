import type { ApiKey, RotateApiKeyPayload } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { useClient } from "../client.ts";
import { dateOnly, exactTime, relativeTime } from "../format.ts";
import { Link } from "../router.tsx";
import { CopyButton } from "./CopyButton.tsx";
import { DeleteDialog } from "./DeleteDialog.tsx";
import { KeyMenu, type KeyMenuChoice } from "./KeyMenu.tsx";
import { KeyName } from "./KeyName.tsx";
import { RevokeDialog } from "./RevokeDialog.tsx";
import { RotateDialog } from "./RotateDialog.tsx";
import { StatusSwitch } from "./StatusSwitch.tsx";
import { RelativeTime } from "./Time.tsx";

interface KeyCardProps {
  apiKey: ApiKey;
  /** Admins see everyone's keys: the card names the owner. */
  showOwner: boolean;
  /** Whether the person may change this key (the API would refuse otherwise). */
  canWrite: boolean;
  onChanged: (key: ApiKey) => void;
  onDeleted: (id: string) => void;
  onRotated: (payload: RotateApiKeyPayload) => void;
}

export function KeyCard({ apiKey, showOwner, canWrite, onChanged, onDeleted, onRotated }: KeyCardProps) {
  const { consoleLinks } = useClient();
  const [dialog, setDialog] = useState<KeyMenuChoice | null>(null);
  const revoked = apiKey.status === "REVOKED";
  const choices: KeyMenuChoice[] = !canWrite ? [] : revoked ? ["delete"] : ["rotate", "revoke", "delete"];
  return (
    <li class={`card key-card ${revoked ? "revoked" : ""}`} data-key-id={apiKey.id}>
      <div class="card-head">
        <KeyName apiKey={apiKey} editable={canWrite && !revoked} onRenamed={onChanged} />
        <div class="card-controls">
          {canWrite && !revoked && <StatusSwitch apiKey={apiKey} onChanged={onChanged} />}
          <KeyMenu keyName={apiKey.name} choices={choices} onChoose={setDialog} />
        </div>
      </div>
      <ul class="badges" aria-label="Properties">
        <li class={`badge ${apiKey.environment === "LIVE" ? "live" : "test"}`}>{apiKey.environment === "LIVE" ? "Live" : "Test"}</li>
        <li class="badge">{apiKey.kind === "SERVICE" ? "Service" : "Personal"}</li>
        {revoked && <li class="badge danger">Revoked</li>}
        {apiKey.expiresAt && (
          <li class={`badge ${apiKey.expired ? "danger" : ""}`} title={exactTime(apiKey.expiresAt)}>
            {apiKey.expired ? "Expired" : `Expires ${relativeTime(apiKey.expiresAt)}`}
          </li>
        )}
      </ul>
      <div class="masked">
        <code>{apiKey.maskedKey}</code>
        <CopyButton text={apiKey.maskedKey} what={`the masked key of ${apiKey.name}`} />
      </div>
      <dl class="facts">
        <div>
          <dt>Last used</dt>
          <dd>
            <RelativeTime iso={apiKey.lastUsedAt} />
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={apiKey.createdAt} title={exactTime(apiKey.createdAt)}>
              {dateOnly(apiKey.createdAt)}
            </time>
          </dd>
        </div>
        {showOwner && (
          <div>
            <dt>Owner</dt>
            <dd>{apiKey.owner?.email ?? "The organization"}</dd>
          </div>
        )}
        {apiKey.permissions.length > 0 && (
          <div>
            <dt>Permissions</dt>
            <dd class="permissions">
              {apiKey.permissions.map((permission) => (
                <code>{permission}</code>
              ))}
            </dd>
          </div>
        )}
      </dl>
      {consoleLinks && (
        <Link href={`/keys/${apiKey.id}`} class="details-link">
          Details<span class="visually-hidden"> of {apiKey.name}</span>
        </Link>
      )}
      {dialog === "rotate" && (
        <RotateDialog
          apiKey={apiKey}
          onCancel={() => setDialog(null)}
          onRotated={(payload) => {
            setDialog(null);
            onRotated(payload);
          }}
        />
      )}
      {dialog === "revoke" && (
        <RevokeDialog
          apiKey={apiKey}
          onCancel={() => setDialog(null)}
          onRevoked={(key) => {
            setDialog(null);
            onChanged(key);
          }}
        />
      )}
      {dialog === "delete" && (
        <DeleteDialog
          apiKey={apiKey}
          onCancel={() => setDialog(null)}
          onDeleted={(id) => {
            setDialog(null);
            onDeleted(id);
          }}
        />
      )}
    </li>
  );
}
