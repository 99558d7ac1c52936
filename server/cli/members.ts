import { parseArgs } from "node:util";
import type { Keyward, Membership, Role } from "../../sdk/src/index.ts";
import { KeywardError } from "../../sdk/src/index.ts";
import { Role as roles } from "../generated/prisma/enums.ts";
import { clientOptions, required, withClient } from "./client.ts";
import { oneOf, UsageError } from "./usageError.ts";

const allowedRoles = Object.values(roles) satisfies Role[];

const options = {
  ...clientOptions,
  email: { type: "string" },
  role: { type: "string" },
} as const;

const memberLine = (m: Membership) => `${m.user.id}  ${m.role.padEnd(6)}  ${m.user.email}`;

/** `keyward members …`: people in the organization, against a running Keyward, through the SDK. */
export async function membersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const [action, who] = positionals;
  const role = () => oneOf("--role", required(values.role, `members ${action} needs --role admin|member`), allowedRoles);
  const member = () => required(who, `members ${action} needs the member's user id or email`);
  return withClient("members", values, async ({ kw, print }) => {
    switch (action) {
      case "list": {
        const members: Membership[] = [];
        for await (const m of kw.paginate.members({ first: 100 })) members.push(m);
        print(members, members.map(memberLine).join("\n"));
        return 0;
      }
      case "invite": {
        const email = required(values.email, "members invite needs --email <email>");
        const invited = await kw.inviteMember({ email, role: values.role === undefined ? "MEMBER" : role() });
        const { invitation, code } = invited;
        print(invited, `invited ${invitation.email} as ${invitation.role} until ${invitation.expiresAt}\n\n    ${code}\n\nThe code is shown this once; give it to them.`);
        return 0;
      }
      case "role": {
        const [ref, newRole] = [member(), role()];
        const { membership } = await kw.updateMemberRole({ userId: await userIdOf(kw, ref), role: newRole });
        print(membership, memberLine(membership));
        return 0;
      }
      case "remove": {
        const removed = await kw.removeMember({ userId: await userIdOf(kw, member()) });
        print(removed, `removed ${removed.removedUserId}; revoked ${removed.revokedApiKeyIds.length} personal key(s)`);
        return 0;
      }
      default:
        throw new UsageError(`members: unknown action "${action ?? ""}"; use list, invite, role or remove.`);
    }
  });
}

/** A user id as given, or the id of the member with that email (NOT_FOUND, as the server says for an unknown id). */
async function userIdOf(kw: Keyward, ref: string): Promise<string> {
  if (!ref.includes("@")) return ref;
  for await (const m of kw.paginate.members({ first: 100 })) if (m.user.email.toLowerCase() === ref.trim().toLowerCase()) return m.user.id;
  throw new KeywardError(`No member of this organization has the email ${ref}.`, { code: "NOT_FOUND" });
}
