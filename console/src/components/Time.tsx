import { exactTime, relativeTime } from "../format.ts";

/** A relative time ("3 minutes ago") with the exact time on hover and in `datetime`. */
export function RelativeTime({ iso, never = "Never" }: { iso: string | null | undefined; never?: string }) {
  if (!iso) return <span>{never}</span>;
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}
