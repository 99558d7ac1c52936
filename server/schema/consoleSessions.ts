import { builder } from "../builder.ts";
import { platformChange } from "../domain/change.ts";
import { CONSOLE_SESSION_DEFAULT_SECONDS, CONSOLE_SESSION_MAX_SECONDS, createConsoleSession, type ConsoleSession } from "../domain/consoleSessions.ts";

const CreateConsoleSessionInput = builder.inputType("CreateConsoleSessionInput", {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    userId: t.id({ required: true, description: "A member of the organization: the console and the embedded page act as them, with their role." }),
    returnUrl: t.string({ required: true, description: 'An absolute http(s) URL (≤ 2048 characters): the console\'s "Back to …" link.' }),
    allowedOrigin: t.string({
      required: true,
      description: "The product page's origin (scheme://host[:port]): the only origin the token is accepted from and shared with (CORS).",
    }),
    expiresInSeconds: t.int({
      defaultValue: CONSOLE_SESSION_DEFAULT_SECONDS,
      description: `1–${CONSOLE_SESSION_MAX_SECONDS}: when the link and the token stop working.`,
    }),
  }),
});

const CreateConsoleSessionPayload = builder.objectRef<ConsoleSession>("CreateConsoleSessionPayload").implement({
  description: "Shown once: Keyward keeps only hashes of the link's and the token's secrets.",
  fields: (t) => ({
    url: t.exposeString("url", { description: "A one-time link that signs the member in to Keyward's console (redirect the person there)." }),
    token: t.exposeString("token", {
      description: "For <keyward-api-keys token> (from /elements.js) on a page of allowedOrigin: a bearer token, never a cookie.",
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

builder.mutationField("createConsoleSession", (t) =>
  t.withAuth({ platform: "PLATFORM_WRITE" }).field({
    type: CreateConsoleSessionPayload,
    nullable: true,
    description:
      "Lets a product show a member their keys: a one-time console link and a token for the embedded key page, audited in the organization with the platform key as actor.",
    args: { input: t.arg({ type: CreateConsoleSessionInput, required: true }) },
    resolve: (_root, { input }, context) =>
      platformChange(context, (step) =>
        createConsoleSession(step, context.config, { ...input, organizationId: String(input.organizationId), userId: String(input.userId) }),
      ),
  }),
);
