import { agentClients, agentKeyName, agentSetup, type AgentSetup } from "../domain/agents.ts";
import { grantableScopes, issueKeyInChange, validName } from "../domain/apiKeys.ts";
import type { Scope } from "../auth/scopes.ts";
import { currentPolicy, defaultExpiry } from "../domain/organizationPolicy.ts";
import { builder } from "../builder.ts";
import { change } from "../domain/change.ts";
import { badInput, forbidden } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { ScopeEnum } from "./enums.ts";

const AgentClientEnum = builder.enumType("AgentClient", { values: agentClients });

// What an agent gets unless asked otherwise: reading, never changing.
const READ_SCOPES: Scope[] = ["ORG_READ", "MEMBERS_READ", "KEYS_READ", "AUDIT_READ"];

const ConnectAgentInput = builder.inputType("ConnectAgentInput", {
  fields: (t) => ({
    client: t.field({ type: AgentClientEnum, required: true }),
    name: t.string({ description: 'The name of the key; default "<client> agent, <UTC date>", with " (2)", " (3)"… when the person already has one of that name.' }),
    scopes: t.field({ type: [ScopeEnum], description: "Default: the caller's read scopes. Never more than the caller may do." }),
  }),
});

const ConnectAgentPayload = builder.objectRef<AgentSetup & { apiKey: ApiKeyRow; secret: string }>("ConnectAgentPayload").implement({
  description: "A key made for one agent (revocable alone) and what that client needs to use it.",
  fields: (t) => ({
    apiKey: t.expose("apiKey", { type: ApiKey }),
    secret: t.exposeString("secret", { description: "The agent's key, shown once (it is also inside the command, link or URL)." }),
    mcpUrl: t.exposeString("mcpUrl"),
    command: t.exposeString("command", { nullable: true }),
    deeplink: t.exposeString("deeplink", { nullable: true }),
    connectorUrl: t.exposeString("connectorUrl", { nullable: true }),
    instructions: t.exposeString("instructions"),
  }),
});

builder.mutationField("connectAgent", (t) =>
  t.withAuth({ scope: "KEYS_WRITE" }).field({
    type: ConnectAgentPayload,
    nullable: true,
    description: "Creates a key for an AI agent and returns the ready command, link or connector URL for its client.",
    args: { input: t.arg({ type: ConnectAgentInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const named = input.name === null || input.name === undefined ? null : validName(input.name);
      // Through the one write path: the caller's membership is locked and re-read, so an agent key
      // made while its person is being removed is revoked with their other keys or refused.
      const created = await change(context, async (step) => {
        const { caller } = step;
        // An agent acts for a person: its key is theirs. A service key has no one to act for.
        if (!caller.userId) throw forbidden("Agent keys are made with a person's key (a service key has no one to act for).");
        const requested = input.scopes ? grantableScopes(caller, input.scopes) : READ_SCOPES.filter((s) => caller.scopes.has(s));
        // A key with no scopes would connect and find nothing to do but `viewer`.
        if (requested.length === 0) throw badInput("The agent's key would have no scopes: pass scopes the calling key holds.", "scopes");
        const name = named ?? (await agentKeyName(step.tx, caller.organizationId, caller.userId, input.client));
        return issueKeyInChange(
          step,
          // The agent's key lives as long as the organization's policy allows (no limit: no expiry).
          { kind: "PERSONAL", ownerId: caller.userId, name, environment: "LIVE", scopes: requested, expiresAt: defaultExpiry(await currentPolicy(step.tx, caller.organizationId)) },
          "AGENT_CONNECTED",
        );
      });
      return { ...created, ...agentSetup(input.client, context.config.publicUrl, created.secret) };
    },
  }),
);
