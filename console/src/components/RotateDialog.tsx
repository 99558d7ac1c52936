import type { ApiKey, RotateApiKeyPayload } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { useAction } from "../hooks.ts";
import { BusyButton } from "./BusyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

const graces = [
  { seconds: 0, label: "None: the old secret stops now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 24 * 3600, label: "24 hours" },
  { seconds: 7 * 24 * 3600, label: "7 days" },
];

interface RotateDialogProps {
  apiKey: ApiKey;
  onCancel: () => void;
  onRotated: (payload: RotateApiKeyPayload) => void;
}

export function RotateDialog({ apiKey, onCancel, onRotated }: RotateDialogProps) {
  const keyward = useKeyward();
  const [grace, setGrace] = useState(0);
  const rotate = useAction(async () => onRotated(await keyward.rotateApiKey({ id: apiKey.id, gracePeriodSeconds: grace })));
  return (
    <Dialog title={`Rotate “${apiKey.name}”`} onCancel={rotate.busy ? undefined : onCancel}>
      <p>The key keeps its name, scopes and history and gets a new secret, shown once.</p>
      <div class="field">
        <label for="grace">Old secret keeps working for</label>
        <select id="grace" value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
          {graces.map((g) => (
            <option value={g.seconds}>{g.label}</option>
          ))}
        </select>
      </div>
      <ErrorNote error={rotate.error} />
      <div class="actions">
        <button type="button" class="button" onClick={onCancel} disabled={rotate.busy}>
          Cancel
        </button>
        <BusyButton class="button primary" busy={rotate.busy} busyLabel="Rotating…" onClick={() => void rotate.run()}>
          Rotate key
        </BusyButton>
      </div>
    </Dialog>
  );
}
