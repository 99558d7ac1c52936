import { builder } from "../builder.ts";
import { forbidden, KeywardError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { createOrganization, type NewOrganization } from "../domain/organizations.ts";
import { throttlingKey } from "../http/request.ts";
import { ApiKey } from "./apiKey.ts";
import { Organization, User } from "./organization.ts";

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    organizationName: t.string({ required: true, description: "1–100 characters." }),
    email: t.string({ required: true, description: "The first admin's email address." }),
  }),
});

const SignUpPayload = builder.objectRef<NewOrganization>("SignUpPayload").implement({
  fields: (t) => ({
    organization: t.expose("organization", { type: Organization }),
    user: t.expose("user", { type: User }),
    apiKey: t.expose("apiKey", { type: ApiKey }),
    secret: t.exposeString("secret", { description: "The admin's first key, shown once." }),
  }),
});

builder.mutationField("signUp", (t) =>
  t.field({
    type: SignUpPayload,
    nullable: true,
    description: "Creates an organization, its first admin and their first key. Needs no key; only when KEYWARD_SIGNUP=open.",
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { config, requestInfo, rateLimits } = context;
      if (config.signup !== "open") throw forbidden("Sign-up is closed on this Keyward; ask an operator for an organization.");
      // Every attempt counts: sign-ups are cheap to script and each one creates rows.
      const client = throttlingKey(requestInfo.ip);
      await rateLimits.signUps.assertAllowed(client);
      await rateLimits.signUps.fail(client);
      try {
        return await createOrganization(context, { ...input, existingUser: "refuse" }, requestInfo);
      } catch (error) {
        // Two sign-ups racing for the same slug or email: the loser gets a clear answer, not a 500.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new KeywardError("CONFLICT", "That organization name or email was just taken; try again.");
        }
        throw error;
      }
    },
  }),
);
