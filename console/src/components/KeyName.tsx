import type { ApiKey } from "@keyward/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useKeyward } from "../client.ts";
import { useAction } from "../hooks.ts";
import { ErrorNote } from "./ErrorNote.tsx";

interface KeyNameProps {
  apiKey: ApiKey;
  editable: boolean;
  onRenamed: (key: ApiKey) => void;
}

/** The key's name; click it to edit in place: Enter saves, Escape cancels. */
export function KeyName({ apiKey, editable, onRenamed }: KeyNameProps) {
  const keyward = useKeyward();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(apiKey.name);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const rename = useAction(async (name: string) => {
    const { apiKey: renamed } = await keyward.renameApiKey({ id: apiKey.id, name });
    setEditing(false);
    onRenamed(renamed);
  });
  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);
  const finish = () => {
    setEditing(false);
    rename.clear();
    requestAnimationFrame(() => button.current?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      setValue(apiKey.name);
      finish();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const name = value.trim();
      if (name === apiKey.name || name === "") finish();
      else void rename.run(name).then((ok) => ok && requestAnimationFrame(() => button.current?.focus()));
    }
  };
  if (!editable) return <h3 class="key-name">{apiKey.name}</h3>;
  if (editing) {
    return (
      <div class="key-name-edit">
        <label class="visually-hidden" for={`name-${apiKey.id}`}>
          New name for {apiKey.name} (Enter saves, Escape cancels)
        </label>
        <input
          id={`name-${apiKey.id}`}
          ref={input}
          value={value}
          maxLength={100}
          disabled={rename.busy}
          aria-busy={rename.busy}
          onInput={(e) => setValue(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onBlur={() => !rename.busy && !rename.error && (setValue(apiKey.name), setEditing(false))}
        />
        <ErrorNote error={rename.error} />
      </div>
    );
  }
  return (
    <h3 class="key-name">
      <button
        ref={button}
        type="button"
        class="name-button"
        aria-label={`Rename ${apiKey.name}`}
        title="Click to rename"
        onClick={() => {
          setValue(apiKey.name);
          setEditing(true);
        }}
      >
        {apiKey.name}
      </button>
    </h3>
  );
}
