// `/elements.js`: the console's key page as a custom element for a product's own page.
//
//   <script type="module" src="https://keys.example.com/elements.js"></script>
//   <keyward-api-keys token="kwe_…"></keyward-api-keys>
//
// `token` comes from the product's backend (`createConsoleSession`, with allowedOrigin = the
// page's origin); `keyward-url` defaults to where this script was loaded from. The element
// renders the very component of the console's "API keys" page (src/components/ApiKeys.tsx) in a
// shadow root, with a client that sends the token as a bearer (never a cookie) to Keyward.
import { Keyward, type KeywardFetch } from "@keyward/sdk";
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ClientContext, type KeywardClient } from "./client.ts";
import { ApiKeys } from "./components/ApiKeys.tsx";
import { ErrorNote } from "./components/ErrorNote.tsx";
import { errorCode } from "./errors.ts";
import { SessionContext, type Signed } from "./session.ts";
import styles from "./styles.css";

export const ELEMENT_NAME = "keyward-api-keys";

/**
 * The console's stylesheet, moved onto the element: page-wide rules become the host's. The host
 * is light unless the product asks for `appearance="auto"` (then it follows the reader's
 * system, as the console does): a product's page decides its own colours.
 */
function hostStyles(): CSSStyleSheet {
  let css = (styles as string)
    .replace(":root {\n  color-scheme: light dark;", ":host {\n  color-scheme: light;")
    .replace(/:root/g, ':host([appearance="auto"])')
    .replace("body {", ":host { display: block; font-size: 16px; line-height: 1.5; padding: 0.25rem 0;");
  css += '\n:host([appearance="auto"]) { color-scheme: light dark; }\n:host([hidden]) { display: none; }\n';
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  return sheet;
}

const DESCRIPTION = "Keys let your programs call this service's API. A key is shown in full only once, when it is created.";

function bearerClient(base: string, token: string): Keyward {
  const fetchWithToken: KeywardFetch = (url, init) =>
    fetch(url, { ...init, credentials: "omit", headers: { ...Object.fromEntries(new Headers(init.headers)), authorization: `Bearer ${token}` } });
  return new Keyward({ url: new URL("/graphql", base).href, fetch: fetchWithToken });
}

type State = { status: "loading" } | { status: "failed"; error: unknown } | { status: "in"; signed: Signed };

function Embedded({ base, token }: { base: string; token: string }) {
  const client = useMemo<KeywardClient>(() => ({ keyward: bearerClient(base, token), origin: new URL(base).origin, consoleLinks: false }), [base, token]);
  const [state, setState] = useState<State>({ status: "loading" });
  useEffect(() => {
    setState({ status: "loading" });
    client.keyward.viewer().then(
      (viewer) => {
        if (!viewer.user) throw new Error("An embedded session always acts as a person.");
        const role = viewer.role ?? "MEMBER";
        const organization = { id: viewer.organization.id, name: viewer.organization.name, slug: viewer.organization.slug };
        setState({
          status: "in",
          signed: {
            session: { user: { id: viewer.user.id, email: viewer.user.email }, organization, role, organizations: [{ ...organization, role }], returnUrl: null },
            scopes: viewer.scopes,
            isAdmin: role === "ADMIN",
          },
        });
      },
    ).catch((error: unknown) => setState({ status: "failed", error }));
  }, [client]);

  if (state.status === "loading") return <p class="muted" aria-busy="true">Loading API keys…</p>;
  if (state.status === "failed") {
    return errorCode(state.error) === "UNAUTHENTICATED" ? (
      <p class="error" role="alert">
        This key page has expired. Reload the page to continue.
      </p>
    ) : (
      <ErrorNote error={state.error} />
    );
  }
  return (
    <ClientContext.Provider value={client}>
      <SessionContext.Provider value={state.signed}>
        <ApiKeys description={DESCRIPTION} headingLevel={2} />
      </SessionContext.Provider>
    </ClientContext.Provider>
  );
}

/** Where this module was served from: Keyward itself, unless the page says otherwise with `keyward-url`. */
const scriptOrigin = new URL(import.meta.url).origin;

export class KeywardApiKeysElement extends HTMLElement {
  static observedAttributes = ["token", "keyward-url"];
  readonly #root: ShadowRoot;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [hostStyles()];
  }

  connectedCallback(): void {
    this.#render();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#render();
  }

  disconnectedCallback(): void {
    render(null, this.#root);
  }

  #render(): void {
    const token = this.getAttribute("token");
    const base = this.getAttribute("keyward-url") || scriptOrigin;
    if (!token) {
      render(
        <p class="error" role="alert">
          Missing the token attribute: create one with createConsoleSession.
        </p>,
        this.#root,
      );
      return;
    }
    render(<Embedded key={`${base} ${token}`} base={base} token={token} />, this.#root);
  }
}

if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, KeywardApiKeysElement);
