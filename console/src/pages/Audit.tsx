import type { ApiKey, AuditAction, AuditEvent } from "@keyward/sdk";
import { useEffect, useState } from "preact/hooks";
import { keyward } from "../api.ts";
import { AuditTable } from "../components/AuditTable.tsx";
import { BusyButton } from "../components/BusyButton.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useAction, useLoad, useTitle } from "../hooks.ts";
import { actionWords, allActions } from "../labels.ts";

const PAGE = 25;

/** The audit log, newest first, filtered by action and by key; pages over the connection with "Load more". */
export function AuditPage() {
  useTitle("Audit log");
  const [action, setAction] = useState<AuditAction | "">("");
  const [keyId, setKeyId] = useState("");
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const filter = { ...(action ? { action } : {}), ...(keyId ? { apiKeyId: keyId } : {}) };
  const context = useLoad(async () => {
    const keys: ApiKey[] = [];
    for (const status of [undefined, "REVOKED"] as const) {
      for await (const key of keyward.paginate.apiKeys({ first: 100, ...(status ? { status } : {}) })) keys.push(key);
    }
    const people = new Map<string, string>();
    for await (const member of keyward.paginate.members({ first: 100 })) people.set(member.user.id, member.user.email);
    return { keys, people };
  }, []);
  const first = useLoad(() => keyward.auditEvents({ first: PAGE, ...filter }), [action, keyId]);
  useEffect(() => {
    if (!first.data) return;
    setEvents(first.data.edges.map((edge) => edge.node));
    setCursor(first.data.pageInfo.hasNextPage ? (first.data.pageInfo.endCursor ?? null) : null);
  }, [first.data]);
  const more = useAction(async () => {
    const page = await keyward.auditEvents({ first: PAGE, after: cursor, ...filter });
    setEvents((current) => [...current, ...page.edges.map((edge) => edge.node)]);
    setCursor(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
  });
  return (
    <>
      <h1>Audit log</h1>
      <p class="muted">Every change to keys and members, newest first, with who made it and from where.</p>
      <div class="toolbar">
        <div class="field inline-field">
          <label for="audit-action">Action</label>
          <select id="audit-action" value={action} onChange={(e) => setAction(e.currentTarget.value as AuditAction | "")}>
            <option value="">All actions</option>
            {allActions.map((a) => (
              <option value={a}>{actionWords[a]}</option>
            ))}
          </select>
        </div>
        <div class="field inline-field">
          <label for="audit-key">Key</label>
          <select id="audit-key" value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)}>
            <option value="">All keys</option>
            {context.data?.keys.map((key) => (
              <option value={key.id}>
                {key.name} ({key.maskedKey})
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={first.error ?? context.error} />
      <div class="card" aria-busy={first.loading}>
        {first.data && <AuditTable events={events} people={context.data?.people ?? new Map()} caption="Audit log" />}
        {cursor && (
          <div class="actions">
            <BusyButton busy={more.busy} busyLabel="Loading…" onClick={() => void more.run()}>
              Load more
            </BusyButton>
          </div>
        )}
        <ErrorNote error={more.error} />
      </div>
    </>
  );
}
