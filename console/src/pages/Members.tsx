import type { Invitation, Membership } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { keyward } from "../api.ts";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { InviteDialog } from "../components/InviteDialog.tsx";
import { MemberRow } from "../components/MemberRow.tsx";
import { RemoveMemberDialog } from "../components/RemoveMemberDialog.tsx";
import { RelativeTime } from "../components/Time.tsx";
import { useAction, useLoad, useTitle } from "../hooks.ts";
import { useSigned } from "../session.ts";

async function everyone(): Promise<Membership[]> {
  const members: Membership[] = [];
  for await (const member of keyward.paginate.members({ first: 100 })) members.push(member);
  return members;
}

/** Members: admins invite, change roles and remove; members see a read-only list. */
export function MembersPage() {
  const { scopes, session } = useSigned();
  useTitle("Members");
  const manage = scopes.includes("MEMBERS_WRITE");
  const members = useLoad(everyone, []);
  const invitations = useLoad(async () => (manage ? keyward.invitations() : ([] as Invitation[])), [manage]);
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Membership | null>(null);
  const admins = members.data?.filter((member) => member.role === "ADMIN").length ?? 0;
  return (
    <>
      <div class="page-head">
        <h1>Members</h1>
        {manage && (
          <button type="button" class="button primary" onClick={() => setInviting(true)}>
            Invite member
          </button>
        )}
      </div>
      <p class="muted">
        {manage
          ? "Admins manage everything; members manage only their own personal keys. Removing someone revokes their personal keys at once."
          : "People in this organization. Only admins can invite, change roles or remove members."}
      </p>
      <ErrorNote error={members.error} />
      <div class="card table-wrap" aria-busy={members.loading}>
        {members.data && (
          <table class="table stack">
            <caption class="visually-hidden">Members</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {manage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.data.map((member) => (
                <MemberRow
                  key={member.id}
                  member={member}
                  manage={manage}
                  lastAdmin={member.role === "ADMIN" && admins === 1}
                  isYou={member.user.id === session.user.id}
                  onChanged={members.reload}
                  onRemove={() => setRemoving(member)}
                />
              ))}
            </tbody>
          </table>
        )}
        {admins === 1 && manage && (
          <p class="member-note">An organization always keeps at least one admin: make another member an admin first.</p>
        )}
      </div>
      {manage && <Invitations invitations={invitations.data ?? []} error={invitations.error} onChanged={invitations.reload} />}
      {inviting && (
        <InviteDialog
          onClose={(invited) => {
            setInviting(false);
            if (invited) invitations.reload();
          }}
        />
      )}
      {removing && (
        <RemoveMemberDialog
          member={removing}
          onCancel={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null);
            members.reload();
          }}
        />
      )}
    </>
  );
}

function Invitations({ invitations, error, onChanged }: { invitations: Invitation[]; error: unknown; onChanged: () => void }) {
  const cancel = useAction(async (id: string) => {
    await keyward.cancelInvitation({ id });
    onChanged();
  });
  const [cancelling, setCancelling] = useState<string | null>(null);
  return (
    <section class="card" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Pending invitations</h2>
      <ErrorNote error={error ?? cancel.error} />
      {invitations.length === 0 ? (
        <p class="muted">No pending invitations.</p>
      ) : (
        <div class="table-wrap">
          <table class="table stack">
            <caption class="visually-hidden">Pending invitations</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td data-label="Email">{invitation.email}</td>
                  <td data-label="Role">{invitation.role === "ADMIN" ? "Admin" : "Member"}</td>
                  <td data-label="Expires">
                    <RelativeTime iso={invitation.expiresAt} />
                  </td>
                  <td data-label="Actions">
                    <button
                      type="button"
                      class="button small"
                      aria-label={`Cancel the invitation of ${invitation.email}`}
                      disabled={cancel.busy}
                      aria-busy={cancel.busy && cancelling === invitation.id}
                      onClick={() => {
                        setCancelling(invitation.id);
                        void cancel.run(invitation.id);
                      }}
                    >
                      {cancel.busy && cancelling === invitation.id ? "Cancelling…" : "Cancel"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
