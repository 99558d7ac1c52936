import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface DialogProps {
  title: string;
  children: ComponentChildren;
  /** Escape (the dialog's cancel) calls this; without it, the dialog closes only through its own buttons. */
  onCancel?: (() => void) | undefined;
  className?: string;
}

/** A native modal `<dialog>`: showModal traps focus and makes the page behind it inert. Shown while mounted. */
export function Dialog({ title, children, onCancel, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const cancel = useRef(onCancel);
  cancel.current = onCancel;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // The focused element of the dialog's own tree (the embedded element's shadow root, or the document).
    const focused = (dialog.getRootNode() as Document | ShadowRoot).activeElement;
    const opener = focused instanceof HTMLElement ? focused : null;
    dialog.showModal();
    const onCancelEvent = (event: Event) => {
      event.preventDefault();
      cancel.current?.();
    };
    dialog.addEventListener("cancel", onCancelEvent);
    return () => {
      dialog.removeEventListener("cancel", onCancelEvent);
      dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={titleId} class={`dialog ${className ?? ""}`}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
