import { agentNames, type AgentClientName } from "../../sdk/src/agents.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * The agent setup texts live in the SDK source (sdk/src/agents.ts) so that the server's
 * `connectAgent` and the console, which builds the same command from a key it just created,
 * share one set of templates.
 */
export { agentClients, agentNames, agentSetup } from "../../sdk/src/agents.ts";
export type { AgentClientName as AgentClient, AgentSetup } from "../../sdk/src/agents.ts";


/**
 * A default name that tells a person's agent keys apart: the client and the UTC day it was
 * connected, then " (2)", " (3)"… for more of the same day (connecting twice must not make two
 * keys nobody can tell apart).
 */
export async function agentKeyName(
  tx: Prisma.TransactionClient,
  organizationId: string,
  ownerId: string,
  client: AgentClientName,
  now = new Date(),
): Promise<string> {
  const base = `${agentNames[client]} agent, ${now.toISOString().slice(0, 10)}`;
  const taken = new Set(
    (await tx.apiKey.findMany({ where: { organizationId, ownerId, name: { startsWith: base } }, select: { name: true } })).map((k) => k.name),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}
