import type { AuditAction, Scope } from "@keyward/sdk";

/** Every scope, in the order people read them, with its words. */
export const scopeWords: Record<Scope, string> = {
  ORG_READ: "Read the organization",
  ORG_WRITE: "Change the organization",
  MEMBERS_READ: "List members",
  MEMBERS_WRITE: "Invite and manage members",
  KEYS_READ: "List API keys",
  KEYS_WRITE: "Create and change API keys",
  KEYS_VERIFY: "Verify API keys",
  AUDIT_READ: "Read the audit log",
};
export const allScopes = Object.keys(scopeWords) as Scope[];

export const actionWords: Record<AuditAction, string> = {
  AGENT_CONNECTED: "Agent connected",
  API_KEY_CREATED: "Key created",
  API_KEY_DELETED: "Key deleted",
  API_KEY_DISABLED: "Key disabled",
  API_KEY_ENABLED: "Key enabled",
  API_KEY_RENAMED: "Key renamed",
  API_KEY_REVOKED: "Key revoked",
  API_KEY_ROTATED: "Key rotated",
  API_KEY_UPDATED: "Key limits changed",
  AUTHENTICATION_FAILED: "Failed sign-ins",
  INVITATION_CANCELLED: "Invitation cancelled",
  MEMBER_INVITED: "Member invited",
  MEMBER_JOINED: "Member joined",
  MEMBER_REMOVED: "Member removed",
  MEMBER_ROLE_CHANGED: "Role changed",
  ORGANIZATION_CREATED: "Organization created",
  ORGANIZATION_POLICY_UPDATED: "Key policy updated",
  // Made by a platform key (the product Keyward runs behind).
  MEMBER_ADDED: "Member added",
  ORGANIZATION_UPDATED: "Organization updated",
  CONSOLE_SESSION_CREATED: "Console session created",
  PERMISSION_CATALOG_SET: "Permissions changed",
  // Platform-level events: never in an organization's own log, listed for completeness.
  ORGANIZATION_DELETED: "Organization deleted",
  PLATFORM_KEY_CREATED: "Platform key created",
  PLATFORM_KEY_REVOKED: "Platform key revoked",
};
export const allActions = Object.keys(actionWords) as AuditAction[];
