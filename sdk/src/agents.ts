/**
 * What each AI client needs to reach Keyward's MCP endpoint with a key. The server's
 * `connectAgent` and the console's key-created dialog both build the text here, so the two
 * can never disagree. Browser-safe: no Node APIs.
 */
export const agentClients = ["CLAUDE_CODE", "CODEX", "VS_CODE", "CURSOR", "CLAUDE_DESKTOP", "CHATGPT"] as const;
export type AgentClientName = (typeof agentClients)[number];

export const agentNames: Record<AgentClientName, string> = {
  CLAUDE_CODE: "Claude Code",
  CODEX: "Codex",
  VS_CODE: "VS Code",
  CURSOR: "Cursor",
  CLAUDE_DESKTOP: "Claude Desktop",
  CHATGPT: "ChatGPT",
};

export interface AgentSetup {
  mcpUrl: string;
  /** A shell command that registers Keyward with the client. */
  command: string | null;
  /** A link that installs Keyward in the client (Cursor). */
  deeplink: string | null;
  /** The MCP URL with the key in it, for clients that take only a URL (Claude Desktop, ChatGPT). */
  connectorUrl: string | null;
  instructions: string;
}

/**
 * The command, link or connector URL that connects `client` to Keyward at `publicUrl`
 * (no trailing slash) with `key`. Keys are base62 and underscores, so they need no shell
 * quoting; JSON goes in single quotes.
 */
export function agentSetup(client: AgentClientName, publicUrl: string, key: string): AgentSetup {
  const mcpUrl = `${publicUrl}/mcp`;
  const connectorUrl = `${mcpUrl}?api_key=${key}`;
  const none = { command: null, deeplink: null, connectorUrl: null };
  switch (client) {
    case "CLAUDE_CODE":
      return {
        ...none,
        mcpUrl,
        command: `claude mcp add --transport http keyward ${mcpUrl} --header "X-API-Key: ${key}"`,
        instructions: "Run the command in a terminal, then start Claude Code; `/mcp` shows the keyward tools.",
      };
    case "CODEX":
      return {
        ...none,
        mcpUrl,
        command: `export KEYWARD_API_KEY=${key} && codex mcp add keyward --url ${mcpUrl} --bearer-token-env-var KEYWARD_API_KEY`,
        instructions: "Run the command, and add `export KEYWARD_API_KEY=…` to your shell profile so Codex finds the key later.",
      };
    case "VS_CODE": {
      const server = { name: "keyward", type: "http", url: mcpUrl, headers: { "X-API-Key": key } };
      return {
        ...none,
        mcpUrl,
        command: `code --add-mcp '${JSON.stringify(server)}'`,
        instructions: "Run the command; the keyward server appears under MCP servers in VS Code (Copilot agent mode).",
      };
    }
    case "CURSOR": {
      const config = base64(JSON.stringify({ url: mcpUrl, headers: { "X-API-Key": key } }));
      return {
        ...none,
        mcpUrl,
        deeplink: `cursor://anysphere.cursor-deeplink/mcp/install?name=keyward&config=${encodeURIComponent(config)}`,
        instructions: "Open the link on the machine where Cursor runs and confirm the installation.",
      };
    }
    case "CLAUDE_DESKTOP":
    case "CHATGPT":
      return {
        ...none,
        mcpUrl,
        connectorUrl,
        instructions:
          `In ${agentNames[client]}, add a custom connector and paste the connector URL. It contains the key: treat it as a secret.` +
          (reachableFromTheInternet(publicUrl)
            ? ""
            : ` ${agentNames[client]} connects from its vendor's cloud, which cannot reach ${publicUrl} (not a public HTTPS address): ` +
              "set KEYWARD_PUBLIC_URL to a public https:// URL (your domain, or a tunnel) first."),
      };
  }
}

/**
 * Whether a vendor's cloud (Claude Desktop's and ChatGPT's connectors run there) could reach
 * `url`: HTTPS, and a host that is not loopback, a private or link-local network, or a local name.
 */
export function reachableFromTheInternet(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:") return false;
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal") || !host.includes(".") && !host.includes(":")) {
    return false;
  }
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return !(a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127));
  }
  // IPv6: loopback, unique local (fc00::/7), link-local (fe80::/10).
  return !(host === "::1" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host));
}

/** Base64 of the UTF-8 bytes (what Node's Buffer gives), with the `btoa` browsers and Node share. */
function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
