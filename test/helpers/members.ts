import { gql } from "./http.ts";

export const INVITE = /* GraphQL */ `
  mutation Invite($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id email role expiresAt } code } }
`;
export const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) { user { id email } membership { role } organization { id } apiKey { id scopes } secret }
  }
`;

/** Invites `email` as `role` with the admin's key and accepts; returns the new member's id and first key. */
export async function addMember(adminKey: string, role: "ADMIN" | "MEMBER" = "MEMBER", email = `m-${crypto.randomUUID()}@example.com`) {
  const invited = await gql(INVITE, { key: adminKey, variables: { input: { email, role } } });
  if (!invited.data?.inviteMember) throw new Error(`inviteMember failed: ${invited.text}`);
  const accepted = await gql(ACCEPT, { variables: { input: { code: invited.data.inviteMember.code } } });
  if (!accepted.data?.acceptInvitation) throw new Error(`acceptInvitation failed: ${accepted.text}`);
  const { user, apiKey, secret } = accepted.data.acceptInvitation;
  return { userId: user.id as string, email, keyId: apiKey.id as string, key: secret as string };
}
