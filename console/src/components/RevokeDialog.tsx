import type { ApiKey } from "@keyward/sdk";
import { useKeyward } from "../client.ts";
import { useAction } from "../hooks.ts";
import { BusyButton } from "./BusyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

interface RevokeDialogProps {
  apiKey: ApiKey;
  onCancel: () => void;
  onRevoked: (key: ApiKey) => void;
}

export function RevokeDialog({ apiKey, onCancel, onRevoked }: RevokeDialogProps) {
  const keyward = useKeyward();
  const revoke = useAction(async () => onRevoked((await keyward.revokeApiKey({ id: apiKey.id })).apiKey));
  return (
    <Dialog title={`Revoke “${apiKey.name}”?`} onCancel={revoke.busy ? undefined : onCancel}>
      <p>
        <strong>This is permanent.</strong> Every request with this key is refused from now on, and it can't be enabled again. It stays listed under
        revoked keys for the record.
      </p>
      <ErrorNote error={revoke.error} />
      <div class="actions">
        <button type="button" class="button" onClick={onCancel} disabled={revoke.busy}>
          Cancel
        </button>
        <BusyButton class="button danger" busy={revoke.busy} busyLabel="Revoking…" onClick={() => void revoke.run()}>
          Revoke key
        </BusyButton>
      </div>
    </Dialog>
  );
}
