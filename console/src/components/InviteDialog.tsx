import type { Role } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { keyward } from "../api.ts";
import { useAction } from "../hooks.ts";
import { BusyButton } from "./BusyButton.tsx";
import { CopyButton } from "./CopyButton.tsx";
import { Dialog } from "./Dialog.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

/** "Invite member": email and role → the join link, shown once. */
export function InviteDialog({ onClose }: { onClose: (invited: boolean) => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("MEMBER");
  const [link, setLink] = useState<string | null>(null);
  const invite = useAction(async () => {
    const payload = await keyward.inviteMember({ email: email.trim(), role });
    setLink(payload.url);
  });
  const submit = (event: Event) => {
    event.preventDefault();
    void invite.run();
  };
  if (link) {
    return (
      <Dialog title="Invitation created">
        <div class="warning" role="note">
          Send this join link to {email.trim()}. It works once, and it will not be shown again.
        </div>
        <div class="secret">
          <code data-testid="join-link">{link}</code>
          <CopyButton text={link} what="the join link" />
        </div>
        <div class="actions">
          <button type="button" class="button primary" onClick={() => onClose(true)}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Invite member" onCancel={invite.busy ? undefined : () => onClose(false)}>
      <form class="form" onSubmit={submit}>
        <div class="field">
          <label for="invite-email">Email</label>
          <input id="invite-email" type="email" required autoComplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="MEMBER">Member: manages their own keys</option>
            <option value="ADMIN">Admin: manages everything</option>
          </select>
        </div>
        <ErrorNote error={invite.error} />
        <div class="actions">
          <button type="button" class="button" onClick={() => onClose(false)} disabled={invite.busy}>
            Cancel
          </button>
          <BusyButton type="submit" class="button primary" busy={invite.busy} busyLabel="Inviting…">
            Invite
          </BusyButton>
        </div>
      </form>
    </Dialog>
  );
}
