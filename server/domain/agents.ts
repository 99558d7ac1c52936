/**
 * The agent setup texts live in the SDK source (sdk/src/agents.ts) so that the server's
 * `connectAgent` and the console, which builds the same command from a key it just created,
 * share one set of templates.
 */
export { agentClients, agentNames, agentSetup } from "../../sdk/src/agents.ts";
export type { AgentClientName as AgentClient, AgentSetup } from "../../sdk/src/agents.ts";
