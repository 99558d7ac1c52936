import type { ComponentChildren } from "preact";
import { signOut, switchOrganization, type Session } from "../api.ts";
import { useAction } from "../hooks.ts";
import { Link, navigate } from "../router.tsx";
import { useSigned } from "../session.ts";
import { BusyButton } from "./BusyButton.tsx";
import { ErrorNote } from "./ErrorNote.tsx";

interface LayoutProps {
  path: string;
  children: ComponentChildren;
  onSession: (session: Session) => void;
  onSignedOut: () => void;
}

/** The signed-in frame: navigation, organization (a switcher when there are several), who, and Sign out. */
export function Layout({ path, children, onSession, onSignedOut }: LayoutProps) {
  const { session, scopes, isAdmin } = useSigned();
  const out = useAction(async () => {
    await signOut();
    onSignedOut();
    navigate("/signin", { replace: true });
  });
  const switching = useAction(async (organizationId: string) => {
    onSession(await switchOrganization(organizationId));
    navigate("/");
  });
  const links = [
    { href: "/", label: "API keys", current: path === "/" || path.startsWith("/keys/") },
    ...(scopes.includes("MEMBERS_READ") ? [{ href: "/members", label: "Members", current: path === "/members" }] : []),
    ...(isAdmin && scopes.includes("AUDIT_READ") ? [{ href: "/audit", label: "Audit log", current: path === "/audit" }] : []),
  ];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-inner">
          <Link href="/" class="brand">
            Keyward
          </Link>
          <nav aria-label="Console">
            <ul>
              {links.map((link) => (
                <li>
                  <Link href={link.href} aria-current={link.current ? "page" : undefined}>
                    {link.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          {session.returnUrl && (
            <a class="back" href={session.returnUrl}>
              Back to {new URL(session.returnUrl).host}
            </a>
          )}
          <div class="who">
            {session.organizations.length > 1 ? (
              <div class="field inline-field">
                <label for="org-switcher">Organization</label>
                <select id="org-switcher" value={session.organization.id} disabled={switching.busy} aria-busy={switching.busy} onChange={(e) => void switching.run(e.currentTarget.value)}>
                  {session.organizations.map((org) => (
                    <option value={org.id}>{org.name}</option>
                  ))}
                </select>
              </div>
            ) : (
              <span class="org">{session.organization.name}</span>
            )}
            <span class="email" title={`Signed in as ${session.user.email} (${isAdmin ? "admin" : "member"})`}>
              {session.user.email}
            </span>
            <BusyButton class="button small" busy={out.busy} busyLabel="Signing out…" onClick={() => void out.run()}>
              Sign out
            </BusyButton>
          </div>
        </div>
        <ErrorNote error={out.error ?? switching.error} />
      </header>
      <main id="main" key={session.organization.id} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
