// Fastify 5: a product's API route accepting its customers' Keyward keys.
import Fastify from "fastify";
import { Keyward } from "@keyward/sdk";

// A platform key with PLATFORM_VERIFY: it checks the keys of every customer organization.
const keyward = new Keyward({ url: `${process.env.KEYWARD_URL}/graphql`, apiKey: process.env.KEYWARD_PLATFORM_KEY });

export const app = Fastify();

app.get("/api/hello", async (request, reply) => {
  const result = await keyward.verifyRequest(request);
  if (!result.valid) return reply.code(result.code === "UNAUTHENTICATED" ? 401 : 403).send({ error: result.code });
  return { hello: result.organization?.externalId, metadata: result.metadata };
});
// await app.listen({ port: 3000 });
