import { useEffect, useState } from "preact/hooks";
import { currentSession, keyward, onSignedOut, type Session } from "./api.ts";
import { ClientContext, type KeywardClient } from "./client.ts";
import { ErrorNote } from "./components/ErrorNote.tsx";
import { errorCode } from "./errors.ts";
import { Layout } from "./components/Layout.tsx";
import { ApiKeysPage } from "./pages/ApiKeys.tsx";
import { AuditPage } from "./pages/Audit.tsx";
import { JoinPage } from "./pages/Join.tsx";
import { KeyDetailsPage } from "./pages/KeyDetails.tsx";
import { MembersPage } from "./pages/Members.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { navigate, usePath } from "./router.tsx";
import { SessionContext, type Signed } from "./session.ts";

type State = { status: "loading" } | { status: "out" } | { status: "failed"; error: unknown } | { status: "in"; signed: Signed };

const publicPaths = new Set(["/signin", "/join"]);

/** What the person may do comes from the API itself (`viewer.scopes`), so nothing it would refuse is offered. */
async function signedFrom(session: Session): Promise<Signed> {
  const viewer = await keyward.viewer();
  return { session, scopes: viewer.scopes, isAdmin: session.role === "ADMIN" };
}

/** The console's client: the session cookie on its own origin, with links to its other pages. */
const consoleClient: KeywardClient = { keyward, origin: location.origin, consoleLinks: true };

export function App() {
  return (
    <ClientContext.Provider value={consoleClient}>
      <Console />
    </ClientContext.Provider>
  );
}

function Console() {
  const path = usePath();
  const [state, setState] = useState<State>({ status: "loading" });

  const enter = async (session: Session) => {
    setState({ status: "loading" });
    try {
      setState({ status: "in", signed: await signedFrom(session) });
    } catch (error) {
      // A session that ended in between has already sent the page to /signin.
      if (errorCode(error) !== "UNAUTHENTICATED") setState({ status: "failed", error });
    }
  };

  useEffect(() => {
    onSignedOut(() => {
      setState({ status: "out" });
      if (!publicPaths.has(location.pathname)) navigate("/signin", { replace: true });
    });
    if (publicPaths.has(location.pathname)) {
      setState({ status: "out" });
      return;
    }
    currentSession().then(
      (session) => {
        if (session) void enter(session);
        else {
          setState({ status: "out" });
          navigate("/signin", { replace: true });
        }
      },
      (error: unknown) => setState({ status: "failed", error }),
    );
  }, []);

  useEffect(() => {
    if (state.status === "out" && !publicPaths.has(path)) navigate("/signin", { replace: true });
  }, [state.status, path]);

  if (path === "/signin") {
    return (
      <SignInPage
        onSignedIn={(session) => {
          void enter(session);
          navigate("/", { replace: true });
        }}
      />
    );
  }
  if (path === "/join") return <JoinPage onSignedIn={(session) => void enter(session)} />;
  if (state.status === "failed") {
    return (
      <main id="main" class="narrow">
        <h1>Keyward</h1>
        <ErrorNote error={state.error} />
        <button type="button" class="button" onClick={() => location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (state.status !== "in") {
    return (
      <main id="main" class="narrow" aria-busy="true">
        <p class="muted">Loading…</p>
      </main>
    );
  }
  return (
    <SessionContext.Provider value={state.signed}>
      <Layout path={path} onSession={(session) => void enter(session)} onSignedOut={() => setState({ status: "out" })}>
        <Page path={path} signed={state.signed} />
      </Layout>
    </SessionContext.Provider>
  );
}

function Page({ path, signed }: { path: string; signed: Signed }) {
  const details = /^\/keys\/([^/]+)$/.exec(path);
  if (path === "/") return <ApiKeysPage />;
  if (details) return <KeyDetailsPage id={decodeURIComponent(details[1]!)} />;
  if (path === "/members") return <MembersPage />;
  if (path === "/audit") {
    if (signed.scopes.includes("AUDIT_READ")) return <AuditPage />;
    return (
      <>
        <h1>Audit log</h1>
        <p>Only admins can read the audit log.</p>
      </>
    );
  }
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at {path}.</p>
    </>
  );
}
