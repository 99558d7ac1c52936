import { GraphQLClient } from "graphql-request";
import { KeywardError } from "./errors.js";
import {
  getSdk,
  type AcceptInvitationInput,
  type ApiKeyQueryVariables,
  type ApiKeysQueryVariables,
  type ApiKeyUsageQueryVariables,
  type AuditEventsQueryVariables,
  type CancelInvitationInput,
  type ConnectAgentInput,
  type CreateApiKeyInput,
  type CreatePlatformKeyInput,
  type AddMemberInput,
  type CreateConsoleSessionInput,
  type CreateOrganizationInput,
  type DeleteOrganizationInput,
  type OrganizationQueryVariables,
  type OrganizationsQueryVariables,
  type PermissionCatalogQueryVariables,
  type SetPermissionCatalogInput,
  type UpdateOrganizationInput,
  type UpdateOrganizationPolicyInput,
  type PlatformAuditEventsQueryVariables,
  type PlatformKeysQueryVariables,
  type RevokePlatformKeyInput,
  type DeleteApiKeyInput,
  type DisableApiKeyInput,
  type EnableApiKeyInput,
  type InviteMemberInput,
  type MembersQueryVariables,
  type RemoveMemberInput,
  type RenameApiKeyInput,
  type RevokeApiKeyInput,
  type RotateApiKeyInput,
  type SignUpInput,
  type UpdateMemberRoleInput,
  type VerifyApiKeyInput,
  type UpdateApiKeyInput,
} from "./generated.js";
import { paginate } from "./paginate.js";
import { keyOfRequest, type VerifiableRequest } from "./verifyRequest.js";
import { withRetries, type RetryPolicy } from "./retry.js";
import type * as T from "./types.js";

export { KeywardError } from "./errors.js";
export { agentClients, agentNames, agentSetup } from "./agents.js";
export type { AgentClientName, AgentSetup } from "./agents.js";
export { keyOfRequest, type VerifiableRequest } from "./verifyRequest.js";
export type { KeywardErrorCode, KeywardErrorDetails, KeywardGraphQLError } from "./errors.js";
export type * from "./types.js";
export type {
  AcceptInvitationInput,
  AgentClient,
  ApiKeyEnvironment,
  ApiKeyKind,
  ApiKeyQueryVariables,
  ApiKeysQueryVariables,
  ApiKeyStatus,
  ApiKeyUsageQueryVariables,
  ApiKeyVerificationCode,
  AuditAction,
  AuditEventsQueryVariables,
  CancelInvitationInput,
  ConnectAgentInput,
  CreateApiKeyInput,
  CreatePlatformKeyInput,
  AddMemberInput,
  CreateConsoleSessionInput,
  CreateOrganizationInput,
  DeleteOrganizationInput,
  OrganizationQueryVariables,
  OrganizationsQueryVariables,
  PermissionCatalogQueryVariables,
  PermissionDefinitionInput,
  SetPermissionCatalogInput,
  UpdateOrganizationInput,
  UpdateOrganizationPolicyInput,
  DeleteApiKeyInput,
  DisableApiKeyInput,
  EnableApiKeyInput,
  InviteMemberInput,
  MembersQueryVariables,
  PlatformAuditEventsQueryVariables,
  PlatformKeysQueryVariables,
  PlatformScope,
  RemoveMemberInput,
  RenameApiKeyInput,
  RevokeApiKeyInput,
  RevokePlatformKeyInput,
  Role,
  RotateApiKeyInput,
  Scope,
  SignUpInput,
  UpdateMemberRoleInput,
  VerifyApiKeyInput,
  UpdateApiKeyInput,
  RateLimitInput,
  CreditsInput,
  CreditRefillInterval,
} from "./generated.js";

/** A `fetch`: `globalThis.fetch`, undici's, or a function that hands the request to a server in-process. */
export type KeywardFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface KeywardOptions {
  /** Keyward's GraphQL endpoint, e.g. `https://keys.example.com/graphql`. */
  url: string;
  /**
   * Sent as `X-API-Key` on every request. Only `signUp` and `acceptInvitation` work without one:
   * without it (an unset `process.env.KEYWARD_KEY`, say), every other method rejects with a
   * `KeywardError` coded `API_KEY_MISSING` before sending anything. A client given its own
   * `fetch`, or an `authorization`/`cookie` header, may carry its credentials that way (a
   * session cookie), so it is sent as it is.
   * @default undefined
   */
  apiKey?: string | undefined;
  /**
   * The fetch to send requests with (a proxy agent, a test double, a server's in-process handler).
   * @default globalThis.fetch
   */
  fetch?: KeywardFetch | undefined;
  /**
   * Extra headers on every request (e.g. a tracing header). Do not send a second key here:
   * Keyward refuses a request carrying two different keys.
   * @default {}
   */
  headers?: Record<string, string> | undefined;
  /**
   * How many times a request is tried again after 429 (every operation) or 503 (queries only:
   * a mutation that might have run is never repeated). Nothing else is retried.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * The first wait when the server sends no `Retry-After`; it doubles per retry, with jitter.
   * @default 250
   */
  retryDelayMs?: number | undefined;
  /**
   * The longest wait before a retry. When `Retry-After` asks for longer, the `KeywardError`
   * is thrown at once, with `retryAfterSeconds` set, for the caller to schedule. Keyward's own
   * throttles (a client that keeps presenting bad keys or invitation codes) usually ask for
   * longer: the request would fail again, so a call should not hang on it.
   * @default 10000
   */
  maxRetryDelayMs?: number | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request and any wait before a retry; the call then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * How many times this call is tried again after 429 or (queries only) 503; with `paginate`,
   * each page's request. `0` sends it once.
   * @default the client's `maxRetries` ({@link KeywardOptions.maxRetries})
   */
  maxRetries?: number | undefined;
}

/** `verifyRequest`'s options: the call's, what a key's own limits need to know about this use, and the permissions it must carry. */
export interface VerifyRequestOptions extends CallOptions {
  /**
   * The address your caller connected from, as your API determines it (behind your proxy, its
   * entry): a key with `allowedIps` is refused with `IP_NOT_ALLOWED` without it.
   * @default undefined
   */
  ip?: string | null | undefined;
  /**
   * Credits this use spends from a key with credits (`0` checks without spending).
   * @default 1
   */
  cost?: number | undefined;
  /**
   * Permissions of your product the key must carry (names from the permission catalogue): when
   * one is missing, the answer is `{ valid: false, code: "FORBIDDEN" }` with the key's
   * `apiKey`, `organization`, `owner` and `permissions` still filled in.
   * @default []
   */
  requiredPermissions?: readonly string[] | undefined;
}

/**
 * The Keyward client. Every operation is a method: queries take their variables, mutations take
 * their `input` object; each resolves to the operation's field (not the `{ data }` envelope) and
 * rejects with a {@link KeywardError} carrying Keyward's `code`.
 *
 * ```ts
 * const kw = new Keyward({ url: "https://keys.example.com/graphql", apiKey: process.env.KEYWARD_KEY });
 * const { apiKey, secret } = await kw.createApiKey({ name: "CI", scopes: ["KEYS_READ"] });
 * for await (const key of kw.paginate.apiKeys({ status: "ENABLED" })) console.log(key.maskedKey);
 * ```
 */
export class Keyward {
  readonly #sdk: ReturnType<typeof getSdk>;
  readonly #policy: RetryPolicy;
  /** No credentials at all: only the operations that need none are sent. */
  readonly #keyless: boolean;

  constructor(options: KeywardOptions) {
    const url = new URL(options.url).href;
    const send: KeywardFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers["x-api-key"] = options.apiKey;
    const credentialHeader = Object.keys(headers).some((h) => /^(x-api-key|authorization|cookie)$/i.test(h));
    this.#keyless = !credentialHeader && !options.fetch;
    this.#policy = {
      maxRetries: nonNegative("maxRetries", options.maxRetries ?? 2),
      retryDelayMs: nonNegative("retryDelayMs", options.retryDelayMs ?? 250),
      maxRetryDelayMs: nonNegative("maxRetryDelayMs", options.maxRetryDelayMs ?? 10_000),
    };
    this.#sdk = getSdk(new GraphQLClient(url, { headers, fetch: guarded(send) }));
  }

  /** Who am I: the calling key, its owner, organization, role and what it may do now. Any valid key. */
  async viewer(options?: CallOptions): Promise<T.Viewer> {
    return this.#call("query", "viewer", options, (signal) => this.#sdk.Viewer({}, undefined, signal));
  }
  /** The calling key's organization; a platform key (`PLATFORM_READ`) names one by `id` or `externalId`. */
  async organization(variables: OrganizationQueryVariables = {}, options?: CallOptions): Promise<T.Organization> {
    return this.#call("query", "organization", options, (signal) => this.#sdk.Organization(variables, undefined, signal));
  }
  /** One page of keys, newest first; without `status`, enabled and disabled keys. See {@link Keyward.paginate}. */
  async apiKeys(variables: ApiKeysQueryVariables = {}, options?: CallOptions): Promise<T.ApiKeyConnection> {
    return this.#call("query", "apiKeys", options, (signal) => this.#sdk.ApiKeys(variables, undefined, signal));
  }
  /** One key, or `null` when no such key is visible to the caller. */
  async apiKey(variables: ApiKeyQueryVariables, options?: CallOptions): Promise<T.ApiKey | null> {
    return this.#call("query", "apiKey", options, (signal) => this.#sdk.ApiKey(variables, undefined, signal));
  }
  /** Daily request counts of one key from `from` to `to` (UTC days, both included). */
  async apiKeyUsage(variables: ApiKeyUsageQueryVariables, options?: CallOptions): Promise<T.ApiKeyUsageDay[]> {
    return this.#call("query", "apiKeyUsage", options, (signal) => this.#sdk.ApiKeyUsage(variables, undefined, signal));
  }
  /** One page of the audit log, newest first. */
  async auditEvents(variables: AuditEventsQueryVariables = {}, options?: CallOptions): Promise<T.AuditEventConnection> {
    return this.#call("query", "auditEvents", options, (signal) => this.#sdk.AuditEvents(variables, undefined, signal));
  }
  /** One page of members, oldest first. */
  async members(variables: MembersQueryVariables = {}, options?: CallOptions): Promise<T.MembershipConnection> {
    return this.#call("query", "members", options, (signal) => this.#sdk.Members(variables, undefined, signal));
  }
  /** Pending invitations, newest first. */
  async invitations(options?: CallOptions): Promise<T.Invitation[]> {
    return this.#call("query", "invitations", options, (signal) => this.#sdk.Invitations({}, undefined, signal));
  }

  /** A new key. `secret` is the full key, shown this once. Without `scopes`: all the caller may do. */
  async createApiKey(input: CreateApiKeyInput, options?: CallOptions): Promise<T.CreateApiKeyPayload> {
    return this.#call("mutation", "createApiKey", options, (signal) => this.#sdk.CreateApiKey({ input }, undefined, signal));
  }
  /** A new name; the key, its secret and its history stay as they are. */
  async renameApiKey(input: RenameApiKeyInput, options?: CallOptions): Promise<T.RenameApiKeyPayload> {
    return this.#call("mutation", "renameApiKey", options, (signal) => this.#sdk.RenameApiKey({ input }, undefined, signal));
  }
  /**
   * A key's limits (`allowedIps`, `rateLimit`, `credits`): a field left out stays as it is, `null`
   * removes it. A member may only tighten the limits on their own key (`FORBIDDEN` otherwise).
   */
  async updateApiKey(input: UpdateApiKeyInput, options?: CallOptions): Promise<T.UpdateApiKeyPayload> {
    return this.#call("mutation", "updateApiKey", options, (signal) => this.#sdk.UpdateApiKey({ input }, undefined, signal));
  }
  /** Refused from the next request on, until enabled again. */
  async disableApiKey(input: DisableApiKeyInput, options?: CallOptions): Promise<T.DisableApiKeyPayload> {
    return this.#call("mutation", "disableApiKey", options, (signal) => this.#sdk.DisableApiKey({ input }, undefined, signal));
  }
  /** Accepted again from the next request on (a revoked key cannot be enabled). */
  async enableApiKey(input: EnableApiKeyInput, options?: CallOptions): Promise<T.EnableApiKeyPayload> {
    return this.#call("mutation", "enableApiKey", options, (signal) => this.#sdk.EnableApiKey({ input }, undefined, signal));
  }
  /** Permanent; the key stays listed with status `REVOKED`. */
  async revokeApiKey(input: RevokeApiKeyInput, options?: CallOptions): Promise<T.RevokeApiKeyPayload> {
    return this.#call("mutation", "revokeApiKey", options, (signal) => this.#sdk.RevokeApiKey({ input }, undefined, signal));
  }
  /** Removes the key; one used in the last 24 h fails with `CONFIRMATION_REQUIRED` unless `confirm: true`. */
  async deleteApiKey(input: DeleteApiKeyInput, options?: CallOptions): Promise<T.DeleteApiKeyPayload> {
    return this.#call("mutation", "deleteApiKey", options, (signal) => this.#sdk.DeleteApiKey({ input }, undefined, signal));
  }
  /** Same id, name and scopes, a new `secret`; the old one works for `gracePeriodSeconds` (default 0). */
  async rotateApiKey(input: RotateApiKeyInput, options?: CallOptions): Promise<T.RotateApiKeyPayload> {
    return this.#call("mutation", "rotateApiKey", options, (signal) => this.#sdk.RotateApiKey({ input }, undefined, signal));
  }
  /** Checks a key presented to your service (needs `KEYS_VERIFY`); never fails for a bad key: `{ valid: false, code }`. */
  async verifyApiKey(input: VerifyApiKeyInput, options?: CallOptions): Promise<T.VerifyApiKeyPayload> {
    return this.#call("mutation", "verifyApiKey", options, (signal) => this.#sdk.VerifyApiKey({ input }, undefined, signal));
  }
  /**
   * For your API, with a platform key holding `PLATFORM_VERIFY` (or an organization key holding
   * `KEYS_VERIFY`): reads the key the request presents (`X-API-Key`, `Authorization: Bearer`,
   * `Authorization: Api-Key`) and verifies it, with `requiredPermissions` when given. A request
   * with no key, or not one Keyward would accept, answers `{ valid: false, code: "UNAUTHENTICATED" }`
   * without a call.
   */
  async verifyRequest(request: VerifiableRequest, options: VerifyRequestOptions = {}): Promise<T.VerifyApiKeyPayload> {
    this.#needKey("verifyRequest");
    const key = keyOfRequest(request);
    if (key === null) {
      return { valid: false, code: "UNAUTHENTICATED", scopes: [], permissions: [], key: null, organization: null, owner: null, metadata: null, rateLimit: null, credits: null };
    }
    const { ip, cost, requiredPermissions, ...call } = options;
    return this.verifyApiKey(
      { key, ...(ip != null ? { ip } : {}), ...(cost != null ? { cost } : {}), ...(requiredPermissions ? { requiredPermissions: [...requiredPermissions] } : {}) },
      call,
    );
  }
  /** A new organization, its admin and their first key (`secret`). Needs no key; only where sign-up is open. */
  async signUp(input: SignUpInput, options?: CallOptions): Promise<T.SignUpPayload> {
    return this.#call("mutation", "signUp", options, (signal) => this.#sdk.SignUp({ input }, undefined, signal));
  }
  /** An invitation and its one-time `code`, shown this once. */
  async inviteMember(input: InviteMemberInput, options?: CallOptions): Promise<T.InviteMemberPayload> {
    return this.#call("mutation", "inviteMember", options, (signal) => this.#sdk.InviteMember({ input }, undefined, signal));
  }
  /** The invitation's code stops working at once. */
  async cancelInvitation(input: CancelInvitationInput, options?: CallOptions): Promise<T.CancelInvitationPayload> {
    return this.#call("mutation", "cancelInvitation", options, (signal) => this.#sdk.CancelInvitation({ input }, undefined, signal));
  }
  /** Joins with an invitation code (needs no key); `secret` is the new member's first key. */
  async acceptInvitation(input: AcceptInvitationInput, options?: CallOptions): Promise<T.AcceptInvitationPayload> {
    return this.#call("mutation", "acceptInvitation", options, (signal) => this.#sdk.AcceptInvitation({ input }, undefined, signal));
  }
  /** Takes effect on all of the member's personal keys from their next request. */
  async updateMemberRole(input: UpdateMemberRoleInput, options?: CallOptions): Promise<T.UpdateMemberRolePayload> {
    return this.#call("mutation", "updateMemberRole", options, (signal) => this.#sdk.UpdateMemberRole({ input }, undefined, signal));
  }
  /** Removes a member; their personal keys are revoked at once. */
  async removeMember(input: RemoveMemberInput, options?: CallOptions): Promise<T.RemoveMemberPayload> {
    return this.#call("mutation", "removeMember", options, (signal) => this.#sdk.RemoveMember({ input }, undefined, signal));
  }
  /**
   * The organization's key policy (admins: `ORG_WRITE`; a platform key names `organizationId`).
   * Fields left out stay as they are; `null` clears one.
   */
  async updateOrganizationPolicy(input: UpdateOrganizationPolicyInput, options?: CallOptions): Promise<T.UpdateOrganizationPolicyPayload> {
    return this.#call("mutation", "updateOrganizationPolicy", options, (signal) => this.#sdk.UpdateOrganizationPolicy({ input }, undefined, signal));
  }
  /** A key of its own for an AI agent, and the command, link or connector URL its client needs. */
  async connectAgent(input: ConnectAgentInput, options?: CallOptions): Promise<T.ConnectAgentPayload> {
    return this.#call("mutation", "connectAgent", options, (signal) => this.#sdk.ConnectAgent({ input }, undefined, signal));
  }

  /** Platform keys, newest first (needs a platform key with `PLATFORM_WRITE`). */
  async platformKeys(variables: PlatformKeysQueryVariables = {}, options?: CallOptions): Promise<T.PlatformKeyConnection> {
    return this.#call("query", "platformKeys", options, (signal) => this.#sdk.PlatformKeys(variables, undefined, signal));
  }
  /** A platform key; `secret` is the full key, shown this once (`PLATFORM_WRITE`). */
  async createPlatformKey(input: CreatePlatformKeyInput, options?: CallOptions): Promise<T.CreatePlatformKeyPayload> {
    return this.#call("mutation", "createPlatformKey", options, (signal) => this.#sdk.CreatePlatformKey({ input }, undefined, signal));
  }
  /** Permanent; refused on every instance from the next request on (`PLATFORM_WRITE`). */
  async revokePlatformKey(input: RevokePlatformKeyInput, options?: CallOptions): Promise<T.RevokePlatformKeyPayload> {
    return this.#call("mutation", "revokePlatformKey", options, (signal) => this.#sdk.RevokePlatformKey({ input }, undefined, signal));
  }
  /** Platform-level events (platform keys, deleted organizations), newest first (`PLATFORM_READ`). */
  async platformAuditEvents(variables: PlatformAuditEventsQueryVariables = {}, options?: CallOptions): Promise<T.PlatformAuditEventConnection> {
    return this.#call("query", "platformAuditEvents", options, (signal) => this.#sdk.PlatformAuditEvents(variables, undefined, signal));
  }
  /** One page of organizations, oldest first; `externalId` finds one by your id (`PLATFORM_READ`). */
  async organizations(variables: OrganizationsQueryVariables = {}, options?: CallOptions): Promise<T.OrganizationConnection> {
    return this.#call("query", "organizations", options, (signal) => this.#sdk.Organizations(variables, undefined, signal));
  }
  /** A tenant and its first admin; a second call with the same `externalId` fails with `CONFLICT` (`PLATFORM_WRITE`). */
  async createOrganization(input: CreateOrganizationInput, options?: CallOptions): Promise<T.CreateOrganizationPayload> {
    return this.#call("mutation", "createOrganization", options, (signal) => this.#sdk.CreateOrganization({ input }, undefined, signal));
  }
  /** Renames a tenant or changes its `externalId` or `metadata` (`PLATFORM_WRITE`). */
  async updateOrganization(input: UpdateOrganizationInput, options?: CallOptions): Promise<T.UpdateOrganizationPayload> {
    return this.#call("mutation", "updateOrganization", options, (signal) => this.#sdk.UpdateOrganization({ input }, undefined, signal));
  }
  /** Removes a tenant and its keys for good; needs `confirm: true` (`PLATFORM_WRITE`). */
  async deleteOrganization(input: DeleteOrganizationInput, options?: CallOptions): Promise<T.DeleteOrganizationPayload> {
    return this.#call("mutation", "deleteOrganization", options, (signal) => this.#sdk.DeleteOrganization({ input }, undefined, signal));
  }
  /** Makes a person a member of a tenant without an invitation (`PLATFORM_WRITE`). */
  async addMember(input: AddMemberInput, options?: CallOptions): Promise<T.AddMemberPayload> {
    return this.#call("mutation", "addMember", options, (signal) => this.#sdk.AddMember({ input }, undefined, signal));
  }
  /**
   * Lets a product show one of its users their keys (platform keys with PLATFORM_WRITE): `url` is
   * a one-time link into Keyward's console, `token` is for `<keyward-api-keys token>` on a page
   * of `allowedOrigin`. Both stop working at `expiresAt` (`expiresInSeconds`, at most 3600).
   */
  async createConsoleSession(input: CreateConsoleSessionInput, options?: CallOptions): Promise<T.CreateConsoleSessionPayload> {
    return this.#call("mutation", "createConsoleSession", options, (signal) => this.#sdk.CreateConsoleSession({ input }, undefined, signal));
  }
  /**
   * What keys may carry in `permissions`: an organization key's own organization's catalogue (the
   * global one with the organization's); a platform key (`PLATFORM_READ`) names `organizationId`,
   * or leaves it out for the global catalogue alone.
   */
  async permissionCatalog(variables: PermissionCatalogQueryVariables = {}, options?: CallOptions): Promise<T.PermissionDefinition[]> {
    return this.#call("query", "permissionCatalog", options, (signal) => this.#sdk.PermissionCatalog(variables, undefined, signal));
  }
  /** Replaces a catalogue: an organization's own, or without `organizationId` the one for every organization (`PLATFORM_WRITE`). */
  async setPermissionCatalog(input: SetPermissionCatalogInput, options?: CallOptions): Promise<T.SetPermissionCatalogPayload> {
    return this.#call("mutation", "setPermissionCatalog", options, (signal) => this.#sdk.SetPermissionCatalog({ input }, undefined, signal));
  }

  /**
   * Every node of a connection, page after page (following `pageInfo.endCursor`):
   * `for await (const key of kw.paginate.apiKeys({ status: "ENABLED" }))`. `first` sets the page size.
   */
  readonly paginate = {
    apiKeys: (variables: Omit<ApiKeysQueryVariables, "after"> = {}, options?: CallOptions): AsyncGenerator<T.ApiKey, void, undefined> =>
      paginate((after) => this.apiKeys({ ...variables, after }, options)),
    members: (variables: Omit<MembersQueryVariables, "after"> = {}, options?: CallOptions): AsyncGenerator<T.Membership, void, undefined> =>
      paginate((after) => this.members({ ...variables, after }, options)),
    auditEvents: (
      variables: Omit<AuditEventsQueryVariables, "after"> = {},
      options?: CallOptions,
    ): AsyncGenerator<T.AuditEvent, void, undefined> => paginate((after) => this.auditEvents({ ...variables, after }, options)),
  };

  /** A client made without a key says so itself, before sending anything. */
  #needKey(method: string): void {
    if (!this.#keyless) return;
    throw new KeywardError(`Keyward: ${method} needs an API key, and this client has none: pass apiKey (e.g. KEYWARD_KEY is not set).`, {
      code: "API_KEY_MISSING",
    });
  }

  /**
   * One operation, tried again as its kind allows, resolved to its one root field: a mutation's
   * payload is never null (see {@link payload}), a query's field may be.
   */
  #call<F extends string, R extends Record<F, unknown>>(kind: "query", field: F, options: CallOptions | undefined, run: Run<R>): Promise<R[F]>;
  #call<F extends string, R extends Record<F, unknown>>(kind: "mutation", field: F, options: CallOptions | undefined, run: Run<R>): Promise<NonNullable<R[F]>>;
  async #call<F extends string, R extends Record<F, unknown>>(
    kind: "query" | "mutation",
    field: F,
    options: CallOptions | undefined,
    run: Run<R>,
  ): Promise<R[F]> {
    if (!KEYLESS_FIELDS.has(field)) this.#needKey(field);
    const signal = options?.signal;
    const maxRetries = options?.maxRetries;
    const policy = maxRetries === undefined ? this.#policy : { ...this.#policy, maxRetries: nonNegative("maxRetries", maxRetries) };
    const value = (await withRetries(() => run(signal), kind, policy, signal))[field];
    return kind === "mutation" ? payload(value) : value;
  }
}

/** The operations Keyward serves without a key (the invitation code or sign-up stands in for it). */
const KEYLESS_FIELDS: ReadonlySet<string> = new Set(["signUp", "acceptInvitation"]);

/** Sends one generated operation, with the caller's signal. */
type Run<R> = (signal: AbortSignal | undefined) => Promise<R>;

/**
 * graphql-request cannot tell a 200 that is not GraphQL (a wrong URL, a login page) from a
 * network failure; say what answered instead.
 */
function guarded(send: KeywardFetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const response = await send(url, init ?? {});
    const type = response.headers.get("content-type") ?? "";
    if (response.ok && !/json/i.test(type)) {
      await response.body?.cancel();
      throw new KeywardError(`${url} answered HTTP ${response.status} with ${type || "no content type"}, not a GraphQL response.`, {
        code: "NETWORK_ERROR",
        status: response.status,
      });
    }
    return response;
  };
}

/** A mutation's payload; null only beside an error, which graphql-request has already thrown. */
function payload<T>(value: T | null | undefined): T {
  if (value == null) throw new KeywardError("Keyward answered without the mutation's result.", { code: "INTERNAL_SERVER_ERROR", status: 200 });
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Keyward: ${name} must be a number ≥ 0, not ${value}.`);
  return name === "maxRetries" ? Math.floor(value) : value;
}
