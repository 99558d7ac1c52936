import type { ApiKey } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { errorCode, errorDetail } from "../errors.ts";
import { exactTime, relativeTime } from "../format.ts";
import { useAction } from "../hooks.ts";
import { BusyButton } from "./BusyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

interface DeleteDialogProps {
  apiKey: ApiKey;
  onCancel: () => void;
  onDeleted: (id: string) => void;
}

/** Deleting a key used in the last 24 hours breaks whatever still calls with it: the dialog says so, with the time. */
export function DeleteDialog({ apiKey, onCancel, onDeleted }: DeleteDialogProps) {
  const keyward = useKeyward();
  // The list may be older than the key's last use: the server's CONFIRMATION_REQUIRED brings the time.
  const [recentUse, setRecentUse] = useState<string | null>(apiKey.usedInLast24Hours ? apiKey.lastUsedAt : null);
  const remove = useAction(async () => {
    try {
      await keyward.deleteApiKey({ id: apiKey.id, confirm: recentUse !== null });
      onDeleted(apiKey.id);
    } catch (error) {
      if (errorCode(error) !== "CONFIRMATION_REQUIRED") throw error;
      const lastUsedAt = errorDetail(error, "lastUsedAt");
      setRecentUse(typeof lastUsedAt === "string" ? lastUsedAt : new Date().toISOString());
    }
  });
  return (
    <Dialog title={`Delete “${apiKey.name}”?`} onCancel={remove.busy ? undefined : onCancel}>
      {recentUse ? (
        <div class="warning" role="alert">
          This key was used in the last 24 hours (last used{" "}
          <time dateTime={recentUse}>
            {relativeTime(recentUse)}, {exactTime(recentUse)}
          </time>
          ). Deleting it breaks whatever still calls with it.
        </div>
      ) : (
        <p>{apiKey.lastUsedAt ? `It was last used ${relativeTime(apiKey.lastUsedAt)}.` : "It has never been used."}</p>
      )}
      <p>The key and its usage are removed for good; its audit history stays.</p>
      <ErrorNote error={remove.error} />
      <div class="actions">
        <button type="button" class="button" onClick={onCancel} disabled={remove.busy}>
          Cancel
        </button>
        <BusyButton class="button danger" busy={remove.busy} busyLabel="Deleting…" onClick={() => void remove.run()}>
          {recentUse ? "Delete anyway" : "Delete key"}
        </BusyButton>
      </div>
    </Dialog>
  );
}
