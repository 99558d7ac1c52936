// Hono (Node, Bun, Deno, Workers): a product's API route accepting its customers' Keyward keys.
import { Hono } from "hono";
import { Keyward } from "@keyward/sdk";

// A platform key with PLATFORM_VERIFY: it checks the keys of every customer organization.
const keyward = new Keyward({ url: `${process.env.KEYWARD_URL}/graphql`, apiKey: process.env.KEYWARD_PLATFORM_KEY });

export const app = new Hono();

app.get("/api/hello", async (c) => {
  const result = await keyward.verifyRequest(c.req.raw);
  if (!result.valid) return c.json({ error: result.code }, result.code === "UNAUTHENTICATED" ? 401 : 403);
  return c.json({ hello: result.organization?.externalId, metadata: result.metadata });
});
