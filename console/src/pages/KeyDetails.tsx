import type { AuditEvent } from "@keyward/sdk";
import { useState } from "preact/hooks";
import { keyward } from "../api.ts";
import { AuditTable } from "../components/AuditTable.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { RelativeTime } from "../components/Time.tsx";
import { UsageChart } from "../components/UsageChart.tsx";
import { exactTime } from "../format.ts";
import { useLoad, useTitle } from "../hooks.ts";
import { scopeWords } from "../labels.ts";
import { Link } from "../router.tsx";
import { useSigned } from "../session.ts";

const DAY = 24 * 3600 * 1000;

/** `/keys/<id>`: requests per day, scopes, who created it and when, and its own audit history. */
export function KeyDetailsPage({ id }: { id: string }) {
  const { scopes } = useSigned();
  const [range, setRange] = useState<30 | 90>(30);
  const key = useLoad(() => keyward.apiKey({ id }), [id]);
  useTitle(key.data?.name ?? "API key");
  const usage = useLoad(() => {
    const to = new Date();
    return keyward.apiKeyUsage({ id, from: new Date(to.getTime() - (range - 1) * DAY), to });
  }, [id, range]);
  const mayAudit = scopes.includes("AUDIT_READ");
  const history = useLoad(async () => {
    if (!mayAudit) return null;
    const page = await keyward.auditEvents({ apiKeyId: id, first: 50 });
    const people = new Map<string, string>();
    if (scopes.includes("MEMBERS_READ")) {
      for await (const member of keyward.paginate.members({ first: 100 })) people.set(member.user.id, member.user.email);
    }
    return { events: page.edges.map((edge) => edge.node) as AuditEvent[], people };
  }, [id, mayAudit]);

  if (key.loading && !key.data) return <p class="muted" aria-busy="true">Loading the key…</p>;
  if (key.error) return <ErrorNote error={key.error} />;
  const apiKey = key.data;
  if (!apiKey) {
    return (
      <>
        <h1>Key not found</h1>
        <p>
          It was deleted, or it isn't yours to see. <Link href="/">Back to API keys</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <p>
        <Link href="/">← API keys</Link>
      </p>
      <h1>{apiKey.name}</h1>
      <ul class="badges" aria-label="Properties">
        <li class="badge">{apiKey.status === "ENABLED" ? "Enabled" : apiKey.status === "DISABLED" ? "Disabled" : "Revoked"}</li>
        <li class={`badge ${apiKey.environment === "LIVE" ? "live" : "test"}`}>{apiKey.environment === "LIVE" ? "Live" : "Test"}</li>
        <li class="badge">{apiKey.kind === "SERVICE" ? "Service" : "Personal"}</li>
      </ul>
      <section class="card" aria-labelledby="usage-heading">
        <div class="page-head">
          <h2 id="usage-heading">Requests per day</h2>
          <div class="choices" role="group" aria-label="Period">
            {([30, 90] as const).map((days) => (
              <button type="button" class="button small" aria-pressed={range === days} onClick={() => setRange(days)}>
                Last {days} days
              </button>
            ))}
          </div>
        </div>
        <ErrorNote error={usage.error} />
        <div aria-busy={usage.loading}>{usage.data && <UsageChart days={usage.data} label={`Requests per day with ${apiKey.name}, last ${range} days`} />}</div>
      </section>
      <section class="card" aria-labelledby="about-heading">
        <h2 id="about-heading">About this key</h2>
        <dl class="facts wide">
          <div>
            <dt>Key</dt>
            <dd>
              <code>{apiKey.maskedKey}</code>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              {exactTime(apiKey.createdAt)} by {apiKey.createdBy?.email ?? "Keyward"}
            </dd>
          </div>
          <div>
            <dt>Owner</dt>
            <dd>{apiKey.owner?.email ?? "The organization (service key)"}</dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>
              <RelativeTime iso={apiKey.lastUsedAt} />
            </dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{apiKey.expiresAt ? exactTime(apiKey.expiresAt) : "Never"}</dd>
          </div>
        </dl>
        <h3>Scopes</h3>
        {apiKey.scopes.length === 0 ? (
          <p class="muted">None: this key cannot manage anything in Keyward.</p>
        ) : (
          <ul class="scope-list">
            {apiKey.scopes.map((scope) => (
              <li>
                {scopeWords[scope]} <code>{scope}</code>
              </li>
            ))}
          </ul>
        )}
        {apiKey.permissions.length > 0 && (
          <>
            <h3>Permissions</h3>
            <ul class="scope-list permission-list">
              {apiKey.permissions.map((permission) => (
                <li>
                  <code>{permission}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {!mayAudit && <p class="muted">Only admins can read a key's audit history.</p>}
        <ErrorNote error={history.error} />
        {history.data && <AuditTable events={history.data.events} people={history.data.people} caption={`History of ${apiKey.name}`} />}
      </section>
    </>
  );
}
