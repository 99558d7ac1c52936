import type { ButtonHTMLAttributes, ComponentChildren } from "preact";

type BusyButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  busy: boolean;
  /** Shown while busy, e.g. "Generating…". */
  busyLabel: string;
  children: ComponentChildren;
};

/** A button that is disabled and says so while its action runs. */
export function BusyButton({ busy, busyLabel, children, disabled, type = "button", class: className = "button", ...rest }: BusyButtonProps) {
  return (
    <button type={type} class={className} disabled={busy || disabled} aria-busy={busy} {...rest}>
      {busy ? busyLabel : children}
    </button>
  );
}
