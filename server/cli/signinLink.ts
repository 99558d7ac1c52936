import { createSignInLink, memberByEmail } from "../auth/sessions.ts";
import type { Config } from "../config.ts";
import { validEmail } from "../domain/organizations.ts";
import { checkedBeforeOpening, open } from "./database.ts";

/** On Keyward's machine, like `init`: a one-time console sign-in link for an existing member, valid 15 minutes. */
export async function signinLinkCommand(config: Config, rawEmail: string, slug: string | undefined): Promise<number> {
  const email = checkedBeforeOpening(() => validEmail(rawEmail, "--email"));
  const db = await open(config);
  try {
    const member = await memberByEmail(db.prisma, email, slug);
    if (member === "unknown") {
      process.stderr.write(`keyward: NOT_FOUND: ${email} is not a member${slug ? ` of ${slug}` : " of any organization"}.\n`);
      return 1;
    }
    if (member === "ambiguous") {
      process.stderr.write(`keyward: ${email} belongs to several organizations; name one with --org <slug>.\n`);
      return 2;
    }
    process.stdout.write(`Sign in to the console (once, within 15 minutes): ${await createSignInLink(db.prisma, config, member)}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
