// An example product with many customers that runs its API keys on Keyward: sign-up creates the
// customer's organization, the account page embeds Keyward's key page, and /api/hello accepts
// the customers' keys. Plain node:http and the SDK; see README.md beside this file.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { Keyward, KeywardError } from "@keyward/sdk";

export interface ProductOptions {
  /** Keyward's base URL, e.g. http://localhost:4000 (its GraphQL API is at /graphql, the element at /elements.js). */
  keywardUrl: string;
  /** A platform key with PLATFORM_WRITE (create customers, mint console sessions) and PLATFORM_VERIFY (check their keys). */
  platformKey: string;
  port?: number;
  host?: string;
}

/** A customer of the product, as its own database would hold it (here: memory). */
interface Customer {
  id: string;
  company: string;
  email: string;
  userId: string;
  keywardOrganizationId: string;
  keywardUserId: string;
}

const COOKIE = "product_session";

export async function startProduct({ keywardUrl, platformKey, port = 3001, host = "127.0.0.1" }: ProductOptions): Promise<{ server: Server; origin: string }> {
  const keyward = new Keyward({ url: new URL("/graphql", keywardUrl).href, apiKey: platformKey });
  const customers = new Map<string, Customer>();
  const sessions = new Map<string, string>();
  let origin = "";

  const customerOf = (req: IncomingMessage): Customer | undefined => {
    const token = /(?:^|;\s*)product_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
    const id = token ? sessions.get(token) : undefined;
    return id ? customers.get(id) : undefined;
  };

  /** Sign-up: the customer's organization in Keyward, named by the product's own id (externalId). */
  async function signUp(form: URLSearchParams): Promise<Customer> {
    const company = form.get("company")?.trim() || "My company";
    const email = form.get("email")?.trim() ?? "";
    const id = `cus_${randomUUID()}`;
    const userId = `usr_${randomUUID()}`;
    const { organization, admin } = await keyward.createOrganization({ name: company, externalId: id, admin: { email, externalId: userId } });
    const customer = { id, company, email, userId, keywardOrganizationId: organization.id, keywardUserId: admin.id };
    customers.set(id, customer);
    return customer;
  }

  /** A console session for the signed-in customer: the token for the embedded page, the link for Keyward's own console. */
  const consoleSession = (customer: Customer) =>
    keyward.createConsoleSession({
      organizationId: customer.keywardOrganizationId,
      userId: customer.keywardUserId,
      returnUrl: `${origin}/`,
      allowedOrigin: origin,
      expiresInSeconds: 900,
    });

  /** The product's own API: any customer's key, checked by Keyward (from memory when warm). */
  async function hello(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const result = await keyward.verifyRequest(req);
    if (!result.valid) {
      const status = result.code === "UNAUTHENTICATED" ? 401 : 403;
      return json(res, status, { error: result.code }, status === 401 ? { "www-authenticate": 'Bearer realm="product"' } : {});
    }
    json(res, 200, { hello: result.organization?.externalId, organization: result.organization?.name, key: result.key?.name });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/api/hello") return hello(req, res);
    if (url.pathname === "/style.css") return send(res, 200, "text/css; charset=utf-8", STYLE);
    if (url.pathname === "/signup" && req.method === "POST") {
      const customer = await signUp(new URLSearchParams(await body(req)));
      const token = randomBytes(24).toString("base64url");
      sessions.set(token, customer.id);
      res.writeHead(303, { location: "/", "set-cookie": `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax` });
      return void res.end();
    }
    const customer = customerOf(req);
    if (url.pathname === "/keyward" && customer) {
      // The hosted alternative to embedding: send the person to Keyward's console, signed in once.
      res.writeHead(303, { location: (await consoleSession(customer)).url });
      return void res.end();
    }
    if (url.pathname !== "/") return send(res, 404, "text/plain; charset=utf-8", "Not found\n");
    if (!customer) return page(res, "Sign up", signUpForm());
    const { token } = await consoleSession(customer);
    page(res, "API keys", accountPage(customer, token, keywardUrl), keywardUrl);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(error instanceof KeywardError ? `Keyward: ${error.code} ${error.message}` : error);
      if (!res.headersSent) json(res, 502, { error: "KEYWARD_FAILED" });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  origin = process.env.PRODUCT_URL ?? `http://${host}:${typeof address === "object" && address ? address.port : port}`;
  return { server, origin };
}

function signUpForm(): string {
  return `<h1>Start your free trial</h1>
  <form method="post" action="/signup" class="card">
    <label for="company">Company</label><input id="company" name="company" required autocomplete="organization">
    <label for="email">Work email</label><input id="email" name="email" type="email" required autocomplete="email">
    <button type="submit">Create account</button>
  </form>`;
}

function accountPage(customer: Customer, token: string, keywardUrl: string): string {
  return `<h1>${escape(customer.company)}</h1>
  <p>Call <code>GET /api/hello</code> with one of these keys in <code>Authorization: Bearer …</code>. Customer id: <code>${escape(customer.id)}</code>.</p>
  <p><a href="/keyward">Open the full key console</a></p>
  <script type="module" src="${escape(new URL("/elements.js", keywardUrl).href)}"></script>
  <keyward-api-keys token="${escape(token)}"></keyward-api-keys>`;
}

/**
 * The page's Content-Security-Policy shows what the element needs: its script and API calls
 * from Keyward's origin. Its styles live in its shadow root as constructed stylesheets, which
 * `style-src` does not govern, so no 'unsafe-inline' is needed.
 */
function page(res: ServerResponse, title: string, main: string, keywardUrl?: string): void {
  const keyward = keywardUrl ? ` ${new URL(keywardUrl).origin}` : "";
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `default-src 'self'; script-src 'self'${keyward}; connect-src 'self'${keyward}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "cache-control": "no-store",
  });
  res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Acme Analytics</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/style.css"></head>
<body>
<header><span class="brand">Acme Analytics</span></header>
<main>${main}</main>
</body>
</html>`);
}

const STYLE = `body { margin: 0; font-family: Georgia, "Times New Roman", serif; background: #fffaf3; color: #2b2118; }
header { background: #7a2e0e; color: #fff; padding: 0.75rem 1.5rem; }
.brand { font-weight: 700; letter-spacing: 0.02em; }
main { max-width: 960px; margin: 0 auto; padding: 1.5rem; }
a { color: #7a2e0e; }
.card { display: grid; gap: 0.5rem; max-width: 24rem; }
input, button { font: inherit; padding: 0.5rem; }
button { background: #7a2e0e; color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
/* The embedded key page takes the product's look through these properties. */
keyward-api-keys {
  --keyward-color-accent: #7a2e0e;
  --keyward-color-text: #2b2118;
  --keyward-color-background: #fffaf3;
  --keyward-color-surface: #ffffff;
  --keyward-font: Georgia, "Times New Roman", serif;
  --keyward-radius: 4px;
}
`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { "content-type": type });
  res.end(text);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error("body too large");
  }
  return text;
}

// `npx tsx --tsconfig examples/tsconfig.json examples/product/server.ts`
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const keywardUrl = process.env.KEYWARD_URL ?? "http://localhost:4000";
  const platformKey = process.env.KEYWARD_PLATFORM_KEY;
  if (!platformKey) {
    console.error("Set KEYWARD_PLATFORM_KEY to a platform key (keyward platform-keys create --name product --scopes platform_write,platform_verify).");
    process.exit(1);
  }
  const { origin } = await startProduct({ keywardUrl, platformKey, port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? "localhost" });
  console.log(`Acme Analytics (example product) on ${origin}, keys by Keyward at ${keywardUrl}`);
}
