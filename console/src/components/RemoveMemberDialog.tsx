import type { Membership } from "@keyward/sdk";
import { keyward } from "../api.ts";
import { useAction, useLoad } from "../hooks.ts";
import { BusyButton } from "./BusyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

/** The keys that removal revokes: the member's personal keys that still work or could again. */
async function personalKeyCount(userId: string): Promise<number> {
  let count = 0;
  for await (const _ of keyward.paginate.apiKeys({ first: 100, ownerId: userId, kind: "PERSONAL" })) count += 1;
  return count;
}

interface RemoveMemberDialogProps {
  member: Membership;
  onCancel: () => void;
  onRemoved: () => void;
}

export function RemoveMemberDialog({ member, onCancel, onRemoved }: RemoveMemberDialogProps) {
  const count = useLoad(() => personalKeyCount(member.user.id), [member.user.id]);
  const remove = useAction(async () => {
    await keyward.removeMember({ userId: member.user.id });
    onRemoved();
  });
  const keys = count.data === undefined ? null : count.data === 1 ? "1 personal key" : `${count.data} personal keys`;
  return (
    <Dialog title={`Remove ${member.user.email}?`} onCancel={remove.busy ? undefined : onCancel}>
      <p aria-busy={count.loading}>
        {keys === null
          ? "Counting their keys…"
          : `They lose access at once: their ${keys} will be revoked, and their console sessions end. Service keys stay.`}
      </p>
      <ErrorNote error={count.error ?? remove.error} />
      <div class="actions">
        <button type="button" class="button" onClick={onCancel} disabled={remove.busy}>
          Cancel
        </button>
        <BusyButton class="button danger" busy={remove.busy} busyLabel="Removing…" disabled={count.loading} onClick={() => void remove.run()}>
          Remove member
        </BusyButton>
      </div>
    </Dialog>
  );
}
