import { useEffect, useState } from "preact/hooks";
import { signIn, type Session } from "../api.ts";
import { BusyButton } from "../components/BusyButton.tsx";
import { ErrorNote } from "../components/ErrorNote.tsx";
import { useAction, useTitle } from "../hooks.ts";

/** `/signin#<token>` signs in with a one-time link; `/signin` asks for a personal API key. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  useTitle("Sign in");
  const [key, setKey] = useState("");
  const [fromLink, setFromLink] = useState(false);
  const withLink = useAction(async (token: string) => onSignedIn(await signIn({ token })));
  const withKey = useAction(async () => onSignedIn(await signIn({ key: key.trim() })));
  useEffect(() => {
    const token = location.hash.slice(1);
    if (!token) return;
    // The token leaves the address bar (and the history) before anything else happens.
    history.replaceState(null, "", "/signin");
    setFromLink(true);
    void withLink.run(token);
  }, []);
  const submit = (event: Event) => {
    event.preventDefault();
    void withKey.run();
  };
  return (
    <main id="main" class="narrow">
      <h1>Sign in to Keyward</h1>
      {fromLink && (
        <div aria-live="polite">
          {withLink.busy && <p aria-busy="true">Signing you in…</p>}
          {withLink.error !== undefined && (
            <>
              <ErrorNote error={withLink.error} />
              <p>Sign-in links work once and for 15 minutes. Ask for a new one, or sign in with a personal API key below.</p>
            </>
          )}
        </div>
      )}
      <form class="card form" onSubmit={submit}>
        <h2>Sign in with an API key</h2>
        <div class="field">
          <label for="signin-key">API key</label>
          <input id="signin-key" type="password" autoComplete="off" spellcheck={false} required placeholder="kw_live_…" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
          <p class="hint">A personal key of yours. Service keys can't sign in.</p>
        </div>
        <ErrorNote error={withKey.error} />
        <BusyButton type="submit" class="button primary" busy={withKey.busy} busyLabel="Signing in…">
          Sign in
        </BusyButton>
      </form>
      <p class="muted">
        No key? An admin can print a one-time sign-in link with <code>keyward signin-link --email you@example.com</code>, or invite you.
      </p>
    </main>
  );
}
