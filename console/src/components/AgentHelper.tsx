import { agentNames, agentSetup, type AgentClientName, type AgentSetup } from "@keyward/sdk";
import { useId, useState } from "preact/hooks";
import { useClient } from "../client.ts";
import { useAction } from "../hooks.ts";
import { CopyButton } from "./CopyButton.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

const choices: { client: AgentClientName; label: string }[] = [
  { client: "CLAUDE_CODE", label: "Claude Code" },
  { client: "CODEX", label: "Codex" },
  { client: "VS_CODE", label: "VS Code" },
  { client: "CURSOR", label: "Cursor" },
  { client: "CLAUDE_DESKTOP", label: "Claude Desktop / ChatGPT" },
];

interface AgentHelperProps {
  /** `local`: build the setup from a key just created (nothing new is made); `remote`: connectAgent makes a key for the agent. */
  mode: { local: string } | { remote: { onCreated: () => void } };
  headingLevel: 2 | 3;
}

/**
 * "Connect to an AI agent (MCP)". The text comes from the SDK's agentSetup, the very function
 * the server's connectAgent uses, so the page and the API never disagree.
 */
export function AgentHelper({ mode, headingLevel }: AgentHelperProps) {
  const { keyward, origin } = useClient();
  const [client, setClient] = useState<AgentClientName | null>(null);
  const [setup, setSetup] = useState<(AgentSetup & { keyName?: string }) | null>(null);
  const headingId = useId();
  const connect = useAction(async (chosen: AgentClientName) => {
    if ("local" in mode) {
      setSetup(agentSetup(chosen, origin, mode.local));
      return;
    }
    const made = await keyward.connectAgent({ client: chosen });
    setSetup({ ...made, keyName: made.apiKey.name });
    mode.remote.onCreated();
  });
  const choose = (chosen: AgentClientName) => {
    setClient(chosen);
    setSetup(null);
    void connect.run(chosen);
  };
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section class="agent" aria-labelledby={headingId}>
      <Heading id={headingId}>Connect to an AI agent (MCP)</Heading>
      <p class="muted">
        {"local" in mode
          ? "Use this key in an AI agent: pick its client for a ready command."
          : "Pick a client: Keyward makes a key just for that agent (revocable on its own) and gives you the ready command."}
      </p>
      <div class="choices" role="group" aria-label="AI client">
        {choices.map((choice) => (
          <button
            type="button"
            class="button small"
            aria-pressed={client === choice.client}
            disabled={connect.busy}
            aria-busy={connect.busy && client === choice.client}
            onClick={() => choose(choice.client)}
          >
            {choice.label}
            {connect.busy && client === choice.client ? "…" : ""}
          </button>
        ))}
      </div>
      <ErrorNote error={connect.error} />
      {setup && client && <AgentSetupView setup={setup} client={client} />}
    </section>
  );
}

function AgentSetupView({ setup, client }: { setup: AgentSetup & { keyName?: string }; client: AgentClientName }) {
  return (
    <div class="agent-setup" aria-live="polite">
      {setup.keyName && (
        <p class="warning" role="note">
          Made the key “{setup.keyName}” for {agentNames[client]}. It is inside what follows and will not be shown again.
        </p>
      )}
      {setup.command && (
        <div class="secret">
          <code data-testid="agent-command">{setup.command}</code>
          <CopyButton text={setup.command} what="the command" />
        </div>
      )}
      {setup.deeplink && (
        <p>
          <a class="button primary" href={setup.deeplink}>
            Add to Cursor
          </a>
        </p>
      )}
      {setup.connectorUrl && (
        <div class="secret">
          <code data-testid="agent-connector">{setup.connectorUrl}</code>
          <CopyButton text={setup.connectorUrl} what="the connector URL" />
        </div>
      )}
      <p class="muted">{setup.instructions}</p>
    </div>
  );
}
