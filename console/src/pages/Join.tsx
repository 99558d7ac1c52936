import type { AcceptInvitationPayload } from "@keyward/sdk";
import { useEffect, useState } from "preact/hooks";
import { anonymous, signIn, type Session } from "../api.ts";
import { BusyButton } from "../components/BusyButton.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { KeyCreatedDialog } from "../components/KeyCreatedDialog.tsx";
import { useAction, useTitle } from "../hooks.ts";
import { navigate } from "../router.tsx";

/** `/join#<code>`: name the first key, join, get signed in, and see that key once. */
export function JoinPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  useTitle("Join");
  const [code] = useState(() => location.hash.slice(1));
  const [keyName, setKeyName] = useState("Personal key");
  const [joined, setJoined] = useState<{ payload: AcceptInvitationPayload; session: Session | null } | null>(null);
  useEffect(() => {
    if (location.hash) history.replaceState(null, "", "/join");
  }, []);
  const join = useAction(async () => {
    const payload = await anonymous.acceptInvitation({ code, keyName: keyName.trim() || "Personal key" });
    // The key is shown whatever happens next: it exists now, and this is its only showing.
    const session = await signIn({ key: payload.secret }).catch(() => null);
    setJoined({ payload, session });
  });
  const submit = (event: Event) => {
    event.preventDefault();
    void join.run();
  };
  if (!code) {
    return (
      <main id="main" class="narrow">
        <h1>Join an organization</h1>
        <p>This page needs the join link an admin gave you (it ends in <code>#</code> and a code). Open that link again.</p>
      </main>
    );
  }
  return (
    <main id="main" class="narrow">
      <h1>Join an organization</h1>
      <form class="card form" onSubmit={submit}>
        <p>You were invited to Keyward. Joining creates your account and your first personal API key.</p>
        <div class="field">
          <label for="join-key-name">Key name</label>
          <input id="join-key-name" required maxLength={100} value={keyName} onInput={(e) => setKeyName(e.currentTarget.value)} />
        </div>
        <ErrorNote error={join.error} />
        <BusyButton type="submit" class="button primary" busy={join.busy} busyLabel="Joining…" disabled={joined !== null}>
          Join
        </BusyButton>
      </form>
      {joined && (
        <KeyCreatedDialog
          title={`Welcome to ${joined.payload.organization.name}`}
          apiKey={joined.payload.apiKey}
          secret={joined.payload.secret}
          onDone={() => {
            if (joined.session) {
              onSignedIn(joined.session);
              navigate("/", { replace: true });
            } else navigate("/signin", { replace: true });
          }}
        />
      )}
    </main>
  );
}
