import { useEffect, useState } from "preact/hooks";

interface CopyButtonProps {
  text: string;
  /** Spoken after "Copy" for screen readers when several Copy buttons share a page. */
  what?: string;
}

/** "Copy" → "Copied" for a moment; the result is announced. */
export function CopyButton({ text, what }: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" class="button small" onClick={copy} aria-label={what ? `Copy ${what}` : undefined}>
        {state === "copied" ? "Copied" : "Copy"}
      </button>
      <span class="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Copying failed: select the text and copy it" : ""}
      </span>
    </>
  );
}
