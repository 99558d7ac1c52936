import type { Membership, Role } from "@keyward/sdk";
import { keyward } from "../api.ts";
import { dateOnly, exactTime } from "../format.ts";
import { useAction } from "../hooks.ts";
import { ErrorNote } from "./ErrorNote.tsx";

interface MemberRowProps {
  member: Membership;
  manage: boolean;
  /** The only admin: neither removable nor demotable (the API answers LAST_ADMIN). */
  lastAdmin: boolean;
  isYou: boolean;
  onChanged: () => void;
  onRemove: () => void;
}

export function MemberRow({ member, manage, lastAdmin, isYou, onChanged, onRemove }: MemberRowProps) {
  const { email } = member.user;
  const change = useAction(async (role: Role) => {
    await keyward.updateMemberRole({ userId: member.user.id, role });
    onChanged();
  });
  const why = lastAdmin ? "The last admin can't be removed or demoted." : undefined;
  return (
    <tr>
      <td data-label="Email">
        <span>
          {email}
          {isYou && <span class="muted"> (you)</span>}
        </span>
      </td>
      <td data-label="Role">
        {manage ? (
          <>
            <label class="visually-hidden" for={`role-${member.id}`}>
              Role of {email}
            </label>
            <select
              id={`role-${member.id}`}
              value={member.role}
              disabled={lastAdmin || change.busy}
              aria-busy={change.busy}
              title={why}
              onChange={(e) => void change.run(e.currentTarget.value as Role)}
            >
              <option value="ADMIN">Admin</option>
              <option value="MEMBER">Member</option>
            </select>
            <ErrorNote error={change.error} />
          </>
        ) : member.role === "ADMIN" ? (
          "Admin"
        ) : (
          "Member"
        )}
      </td>
      <td data-label="Joined">
        <time dateTime={member.joinedAt} title={exactTime(member.joinedAt)}>
          {dateOnly(member.joinedAt)}
        </time>
      </td>
      {manage && (
        <td data-label="Actions">
          {lastAdmin ? (
            <span class="member-note">{why}</span>
          ) : (
            <button type="button" class="button small" aria-label={`Remove ${email}`} onClick={onRemove}>
              Remove
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
