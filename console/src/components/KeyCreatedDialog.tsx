import type { ApiKey } from "@keyward/sdk";
import { AgentHelper } from "./AgentHelper.tsx";
import { CopyButton } from "./CopyButton.tsx";
import { Dialog } from "./Dialog.tsx";

interface KeyCreatedDialogProps {
  title: string;
  apiKey: ApiKey;
  secret: string;
  onDone: () => void;
}

/** The full key, shown this once. Escape does nothing: it closes only through "I have copied". */
export function KeyCreatedDialog({ title, apiKey, secret, onDone }: KeyCreatedDialogProps) {
  return (
    <Dialog title={title} className="wide">
      <p>
        <strong>{apiKey.name}</strong> ({apiKey.environment === "LIVE" ? "Live" : "Test"})
      </p>
      <div class="warning" role="note">
        Copy this key now and store it somewhere safe. It will not be shown again: Keyward keeps only a hash of it.
      </div>
      <div class="secret">
        <code data-testid="secret">{secret}</code>
        <CopyButton text={secret} what="the key" />
      </div>
      <AgentHelper mode={{ local: secret }} headingLevel={3} />
      <div class="actions">
        <button type="button" class="button primary" onClick={onDone}>
          I have copied
        </button>
      </div>
    </Dialog>
  );
}
