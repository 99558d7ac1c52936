import { useEffect, useId, useRef, useState } from "preact/hooks";

export type KeyMenuChoice = "rotate" | "revoke" | "delete";

interface KeyMenuProps {
  keyName: string;
  choices: KeyMenuChoice[];
  onChoose: (choice: KeyMenuChoice) => void;
}

const words: Record<KeyMenuChoice, string> = { rotate: "Rotate", revoke: "Revoke", delete: "Delete" };

/** A disclosure of the card's actions: a real button, then real buttons; Escape or a click outside closes it. */
export function KeyMenu({ keyName, choices, onChoose }: KeyMenuProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (event: Event) => {
      // composedPath, not target: inside the embedded element's shadow root the target is the host.
      if (!root.current || !event.composedPath().includes(root.current)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener("pointerdown", outside);
    root.current?.addEventListener("keydown", escape);
    const element = root.current;
    return () => {
      document.removeEventListener("pointerdown", outside);
      element?.removeEventListener("keydown", escape);
    };
  }, [open]);
  if (choices.length === 0) return null;
  return (
    <div class="menu" ref={root}>
      <button ref={toggle} type="button" class="button small" aria-expanded={open} aria-controls={id} aria-label={`More actions for ${keyName}`} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">⋯</span>
      </button>
      <ul id={id} class="menu-list" hidden={!open}>
        {choices.map((choice) => (
          <li>
            <button
              type="button"
              class={choice === "rotate" ? "menu-item" : "menu-item danger-text"}
              onClick={() => {
                setOpen(false);
                onChoose(choice);
              }}
            >
              {words[choice]}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
