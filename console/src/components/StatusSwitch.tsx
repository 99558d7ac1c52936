import type { ApiKey } from "@keyward/sdk";
import { useKeyward } from "../client.ts";
import { useAction } from "../hooks.ts";
import { ErrorNote } from "./ErrorNote.tsx";

interface StatusSwitchProps {
  apiKey: ApiKey;
  onChanged: (key: ApiKey) => void;
}

/** On = enabled. A switch named after the key; the change takes effect on the key's next request. */
export function StatusSwitch({ apiKey, onChanged }: StatusSwitchProps) {
  const keyward = useKeyward();
  const enabled = apiKey.status === "ENABLED";
  const toggle = useAction(async () => {
    const payload = enabled ? await keyward.disableApiKey({ id: apiKey.id }) : await keyward.enableApiKey({ id: apiKey.id });
    onChanged(payload.apiKey);
  });
  return (
    <div class="switch-wrap">
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={enabled}
        aria-label={apiKey.name}
        aria-busy={toggle.busy}
        disabled={toggle.busy}
        title={enabled ? "Enabled: switch off to refuse this key" : "Disabled: switch on to accept this key again"}
        onClick={() => void toggle.run()}
      >
        <span class="switch-thumb" aria-hidden="true" />
      </button>
      <span class="switch-text" aria-hidden="true">
        {toggle.busy ? "…" : enabled ? "On" : "Off"}
      </span>
      <ErrorNote error={toggle.error} />
    </div>
  );
}
