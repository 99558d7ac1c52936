import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Scope } from "@keyward/sdk";
import type { Session } from "./api.ts";

export interface Signed {
  session: Session;
  /** What the signed-in person may do now in this organization (`viewer.scopes`). */
  scopes: Scope[];
  isAdmin: boolean;
}

export const SessionContext = createContext<Signed | null>(null);

/** The signed-in person; pages under the signed-in layout only. */
export function useSigned(): Signed {
  const signed = useContext(SessionContext);
  if (!signed) throw new Error("useSigned outside a session");
  return signed;
}
