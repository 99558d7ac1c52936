import type { AuditEvent } from "@keyward/sdk";
import { actionWords } from "../labels.ts";
import { RelativeTime } from "./Time.tsx";

interface AuditTableProps {
  events: AuditEvent[];
  /** user id → email, to name actors. */
  people: Map<string, string>;
  caption: string;
}

/** Audit events, newest first: what, who (person, key, via the console), from where, when. */
export function AuditTable({ events, people, caption }: AuditTableProps) {
  if (events.length === 0) return <p class="muted">No events.</p>;
  return (
    <div class="table-wrap">
      <table class="table stack">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">Address</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr>
              <td data-label="Action">{actionWords[event.action] ?? event.action}</td>
              <td data-label="Actor">{actor(event, people)}</td>
              <td data-label="Target">{target(event, people)}</td>
              <td data-label="Address">{event.ip ?? "—"}</td>
              <td data-label="Time">
                <RelativeTime iso={event.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function actor(event: AuditEvent, people: Map<string, string>): string {
  const via = typeof event.metadata?.via === "string" ? ` via ${event.metadata.via}` : "";
  const person = event.actorUserId ? (people.get(event.actorUserId) ?? "a former member") : null;
  if (person) return `${person}${event.actorKeyId ? ` (key ${event.actorKeyId})` : ""}${via}`;
  if (event.actorKeyId) return `Key ${event.actorKeyId}${via}`;
  return via ? via.trim() : "Keyward";
}

function target(event: AuditEvent, people: Map<string, string>): string {
  const meta = event.metadata ?? {};
  const text = (name: string) => (typeof meta[name] === "string" ? (meta[name] as string) : null);
  if (event.action === "API_KEY_RENAMED" && text("from") && text("to")) return `“${text("from")}” → “${text("to")}” (${event.targetId})`;
  if (event.targetType === "ApiKey") return text("name") ? `${text("name")} (${event.targetId})` : `Key ${event.targetId ?? ""}`;
  const who = text("email") ?? (event.targetId ? people.get(event.targetId) : undefined);
  if (event.action === "MEMBER_ROLE_CHANGED" && text("from") && text("to")) return `${who ?? "a member"}: ${text("from")} → ${text("to")}`;
  return who ?? text("name") ?? (event.targetId ? `${event.targetType ?? ""} ${event.targetId}`.trim() : "—");
}
