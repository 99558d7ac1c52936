import type { ApiKey, RotateApiKeyPayload } from "@keyward/sdk";
import { useId } from "preact/hooks";
import { KeyCard } from "./KeyCard.tsx";

interface KeySectionProps {
  title: string;
  /** h2 on the console's page; h3 where the key page sits under a product's own h1/h2. */
  headingLevel?: 2 | 3;
  keys: ApiKey[];
  empty: string;
  showOwner: boolean;
  canWrite: (key: ApiKey) => boolean;
  onChanged: (key: ApiKey) => void;
  onDeleted: (id: string) => void;
  onRotated: (payload: RotateApiKeyPayload) => void;
}

/** One titled region of key cards ("Enabled", "Disabled", "Revoked"). */
export function KeySection({ title, headingLevel = 2, keys, empty, canWrite, ...card }: KeySectionProps) {
  const id = useId();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section class="key-section" aria-labelledby={id}>
      <Heading id={id}>
        {title} <span class="count">({keys.length})</span>
      </Heading>
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
