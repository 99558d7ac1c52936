// What the client's methods return, named after the schema's types. Each is exactly what the
// operation in sdk/operations selects, so a field the SDK does not ask for is not here.
// Mutation payloads are nullable in the schema (a failed mutation is null beside its error);
// a method either resolves to its payload or rejects, so its type is the payload itself.
import type {
  AcceptInvitationMutation,
  ApiKeyFieldsFragment,
  ApiKeysQuery,
  ApiKeyUsageQuery,
  AuditEventFieldsFragment,
  AuditEventsQuery,
  CancelInvitationMutation,
  ConnectAgentMutation,
  CreateApiKeyMutation,
  DeleteApiKeyMutation,
  DisableApiKeyMutation,
  EnableApiKeyMutation,
  InvitationFieldsFragment,
  InviteMemberMutation,
  MembersQuery,
  MembershipFieldsFragment,
  OrganizationFieldsFragment,
  PlatformAuditEventsQuery,
  PlatformKeyFieldsFragment,
  PlatformKeysQuery,
  CreatePlatformKeyMutation,
  CreateOrganizationMutation,
  UpdateOrganizationMutation,
  UpdateOrganizationPolicyMutation,
  OrganizationPolicyFieldsFragment,
  DeleteOrganizationMutation,
  AddMemberMutation,
  CreateConsoleSessionMutation,
  OrganizationsQuery,
  PermissionDefinitionFieldsFragment,
  SetPermissionCatalogMutation,
  RevokePlatformKeyMutation,
  RemoveMemberMutation,
  RenameApiKeyMutation,
  UpdateApiKeyMutation,
  RevokeApiKeyMutation,
  RotateApiKeyMutation,
  SignUpMutation,
  UpdateMemberRoleMutation,
  UserFieldsFragment,
  VerifyApiKeyMutation,
  ViewerQuery,
} from "./generated.js";

/** An API key as listed: never its secret. */
export type ApiKey = ApiKeyFieldsFragment;
export type User = UserFieldsFragment;
export type Organization = OrganizationFieldsFragment;
/** The organization's rules for its keys (expiry, dormant keys, default IP allowlist). */
export type OrganizationPolicy = OrganizationPolicyFieldsFragment;
export type Membership = MembershipFieldsFragment;
/** A pending invitation (its code is shown only once, by `inviteMember`). */
export type Invitation = InvitationFieldsFragment;
export type AuditEvent = AuditEventFieldsFragment;
/** The calling key, its owner (null for service keys), organization, role and effective scopes. */
export type Viewer = ViewerQuery["viewer"];
export type ApiKeyUsageDay = ApiKeyUsageQuery["apiKeyUsage"][number];

/** One page: `edges[].node`, and `pageInfo.endCursor` to pass as `after` for the next. */
export type ApiKeyConnection = ApiKeysQuery["apiKeys"];
export type MembershipConnection = MembersQuery["members"];
export type AuditEventConnection = AuditEventsQuery["auditEvents"];

/** `secret` is the full key, shown this once: store it now. */
export type CreateApiKeyPayload = NonNullable<CreateApiKeyMutation["createApiKey"]>;
/** `secret` is the new full key, shown this once; the old one works until the grace period ends. */
export type RotateApiKeyPayload = NonNullable<RotateApiKeyMutation["rotateApiKey"]>;
export type RenameApiKeyPayload = NonNullable<RenameApiKeyMutation["renameApiKey"]>;
export type UpdateApiKeyPayload = NonNullable<UpdateApiKeyMutation["updateApiKey"]>;
export type DisableApiKeyPayload = NonNullable<DisableApiKeyMutation["disableApiKey"]>;
export type EnableApiKeyPayload = NonNullable<EnableApiKeyMutation["enableApiKey"]>;
export type RevokeApiKeyPayload = NonNullable<RevokeApiKeyMutation["revokeApiKey"]>;
export type DeleteApiKeyPayload = NonNullable<DeleteApiKeyMutation["deleteApiKey"]>;
export type VerifyApiKeyPayload = NonNullable<VerifyApiKeyMutation["verifyApiKey"]>;

/** An operator's key (of no organization): never its secret. */
export type PlatformKey = PlatformKeyFieldsFragment;
export type PlatformKeyConnection = PlatformKeysQuery["platformKeys"];
export type PlatformAuditEventConnection = PlatformAuditEventsQuery["platformAuditEvents"];
/** `secret` is the full platform key, shown this once: store it now. */
export type CreatePlatformKeyPayload = NonNullable<CreatePlatformKeyMutation["createPlatformKey"]>;
export type RevokePlatformKeyPayload = NonNullable<RevokePlatformKeyMutation["revokePlatformKey"]>;
export type OrganizationConnection = OrganizationsQuery["organizations"];
export type CreateOrganizationPayload = NonNullable<CreateOrganizationMutation["createOrganization"]>;
export type UpdateOrganizationPayload = NonNullable<UpdateOrganizationMutation["updateOrganization"]>;
export type UpdateOrganizationPolicyPayload = NonNullable<UpdateOrganizationPolicyMutation["updateOrganizationPolicy"]>;
export type DeleteOrganizationPayload = NonNullable<DeleteOrganizationMutation["deleteOrganization"]>;
export type AddMemberPayload = NonNullable<AddMemberMutation["addMember"]>;
export type CreateConsoleSessionPayload = NonNullable<CreateConsoleSessionMutation["createConsoleSession"]>;
/** A permission of your product that keys may carry (`global`: from the catalogue for every organization). */
export type PermissionDefinition = PermissionDefinitionFieldsFragment;
export type SetPermissionCatalogPayload = NonNullable<SetPermissionCatalogMutation["setPermissionCatalog"]>;
/** `secret` is the new admin's first key, shown this once. */
export type SignUpPayload = NonNullable<SignUpMutation["signUp"]>;
/** `code` is the invitation's one-time code, shown this once: give it to the person. */
export type InviteMemberPayload = NonNullable<InviteMemberMutation["inviteMember"]>;
export type CancelInvitationPayload = NonNullable<CancelInvitationMutation["cancelInvitation"]>;
/** `secret` is the new member's first personal key, shown this once. */
export type AcceptInvitationPayload = NonNullable<AcceptInvitationMutation["acceptInvitation"]>;
export type UpdateMemberRolePayload = NonNullable<UpdateMemberRoleMutation["updateMemberRole"]>;
export type RemoveMemberPayload = NonNullable<RemoveMemberMutation["removeMember"]>;
/** `secret` is the agent's key, shown this once (it is also inside `command`, `deeplink` or `connectorUrl`). */
export type ConnectAgentPayload = NonNullable<ConnectAgentMutation["connectAgent"]>;
