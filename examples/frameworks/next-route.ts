// Next.js App Router: app/api/hello/route.ts, a product's API route accepting its customers' Keyward keys.
import { Keyward } from "@keyward/sdk";

// A platform key with PLATFORM_VERIFY: it checks the keys of every customer organization.
const keyward = new Keyward({ url: `${process.env.KEYWARD_URL}/graphql`, apiKey: process.env.KEYWARD_PLATFORM_KEY });

export async function GET(request: Request): Promise<Response> {
  const result = await keyward.verifyRequest(request);
  if (!result.valid) return Response.json({ error: result.code }, { status: result.code === "UNAUTHENTICATED" ? 401 : 403 });
  return Response.json({ hello: result.organization?.externalId, metadata: result.metadata });
}
