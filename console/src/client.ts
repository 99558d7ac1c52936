import type { Keyward } from "@keyward/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/**
 * Where the key page's components get their API client: the console's cookie-session client
 * (src/api.ts), or the embedded element's bearer-token client (src/elements.tsx). The page is
 * one component either way; only this differs.
 */
export interface KeywardClient {
  keyward: Keyward;
  /** Keyward's own origin: what an AI agent's MCP URL is built from. */
  origin: string;
  /** Links into the console's other pages (a key's details); not offered inside a product's page. */
  consoleLinks: boolean;
}

export const ClientContext = createContext<KeywardClient | null>(null);

export function useClient(): KeywardClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("useClient outside a ClientContext");
  return client;
}

/** The API client of the page the component is on. */
export const useKeyward = (): Keyward => useClient().keyward;
