import { KeywardError } from "@keyward/sdk";

// The words people read for each of Keyward's codes (`extensions.code`): never the raw response.
const words: Record<string, string> = {
  UNAUTHENTICATED: "You are not signed in, or the link or key is not valid (it may have been used or have expired).",
  API_KEY_DISABLED: "This key is disabled. Enable it again to use it.",
  API_KEY_REVOKED: "This key has been revoked; it can't be used any more.",
  API_KEY_EXPIRED: "This key has expired.",
  FORBIDDEN: "You don't have permission to do that.",
  HTTPS_REQUIRED: "Keyward only accepts this over HTTPS.",
  RATE_LIMITED: "Too many attempts. Wait a moment and try again.",
  BAD_USER_INPUT: "Some of what was entered isn't valid.",
  NOT_FOUND: "It no longer exists, or you can't see it.",
  CONFLICT: "That already exists.",
  CONFIRMATION_REQUIRED: "This key was used in the last 24 hours: confirm to delete it anyway.",
  LAST_ADMIN: "The organization must keep at least one admin: make someone else an admin first.",
  INVITATION_EXPIRED: "This invitation has expired. Ask an admin for a new one.",
  INVITATION_USED: "This invitation has already been used.",
  INVITATION_CANCELLED: "This invitation was cancelled. Ask an admin for a new one.",
  INTERNAL_SERVER_ERROR: "Something went wrong on Keyward's side. Try again.",
  UNAVAILABLE: "Keyward is unavailable right now (its database may be down). Try again shortly.",
  NETWORK_ERROR: "Keyward could not be reached. Check your connection and try again.",
};

/** The error's code, when it is one of Keyward's. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof KeywardError ? error.code : undefined;
}

/** Words for an error, chosen by its code. BAD_USER_INPUT keeps the server's message: it names the field. */
export function errorWords(error: unknown): string {
  if (!(error instanceof KeywardError)) return words.INTERNAL_SERVER_ERROR!;
  if (error.code === "BAD_USER_INPUT") {
    const message = error.errors[0]?.message;
    if (message && message.length < 200 && !message.includes("{")) return message;
  }
  if (error.code === "RATE_LIMITED" && error.retryAfterSeconds) return `Too many attempts. Try again in ${error.retryAfterSeconds} seconds.`;
  return words[error.code] ?? words.INTERNAL_SERVER_ERROR!;
}

/** An extension value the error carries (e.g. `lastUsedAt` with CONFIRMATION_REQUIRED). */
export function errorDetail(error: unknown, name: string): unknown {
  return error instanceof KeywardError ? error.errors[0]?.extensions?.[name] : undefined;
}
