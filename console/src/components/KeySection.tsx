import type { ApiKey, RotateApiKeyPayload } from "@keyward/sdk";
import { useId } from "preact/hooks";
import { KeyCard } from "./KeyCard.tsx";

interface KeySectionProps {
  title: string;
  keys: ApiKey[];
  empty: string;
  showOwner: boolean;
  canWrite: (key: ApiKey) => boolean;
  onChanged: (key: ApiKey) => void;
  onDeleted: (id: string) => void;
  onRotated: (payload: RotateApiKeyPayload) => void;
}

/** One titled region of key cards ("Enabled", "Disabled", "Revoked"). */
export function KeySection({ title, keys, empty, canWrite, ...card }: KeySectionProps) {
  const id = useId();
  return (
    <section class="key-section" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span class="count">({keys.length})</span>
      </h2>
      {keys.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="cards">
          {keys.map((key) => (
            <KeyCard key={key.id} apiKey={key} canWrite={canWrite(key)} {...card} />
          ))}
        </ul>
      )}
    </section>
  );
}
