// Express 5: a product's API route accepting its customers' Keyward keys.
import express from "express";
import { Keyward } from "@keyward/sdk";

// A platform key with PLATFORM_VERIFY: it checks the keys of every customer organization.
const keyward = new Keyward({ url: `${process.env.KEYWARD_URL}/graphql`, apiKey: process.env.KEYWARD_PLATFORM_KEY });

export const app = express();

app.get("/api/hello", async (req, res) => {
  const result = await keyward.verifyRequest(req);
  if (!result.valid) {
    res.status(result.code === "UNAUTHENTICATED" ? 401 : 403).json({ error: result.code });
    return;
  }
  res.json({ hello: result.organization?.externalId, metadata: result.metadata });
});
// app.listen(3000);
