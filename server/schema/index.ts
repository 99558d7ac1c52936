import { lexicographicSortSchema } from "graphql";
import { builder } from "../builder.ts";
import "./enums.ts";
import "./organization.ts";
import "./viewer.ts";
import "./apiKey.ts";
import "./apiKeyMutations.ts";
import "./verify.ts";
import "./audit.ts";
import "./signUp.ts";
import "./members.ts";
import "./invitations.ts";
import "./usage.ts";
import "./agents.ts";
import "./platformKeys.ts";
import "./tenants.ts";
import "./permissions.ts";

export const schema = lexicographicSortSchema(builder.toSchema());
