import { parseArgs } from "node:util";
import { clientOptions, withClient } from "./client.ts";
import { keyLine } from "./keys.ts";
import { UsageError } from "./usageError.ts";

/** `keyward whoami`: the calling key, its owner, organization, role and what it may do now. */
export async function whoamiCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: clientOptions, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError("whoami takes no arguments.");
  return withClient("whoami", values, async ({ kw, print }) => {
    const viewer = await kw.viewer();
    const who = viewer.user ? `${viewer.user.email} (${viewer.role?.toLowerCase() ?? "no role"})` : "a service key";
    print(
      viewer,
      [
        `${who} of "${viewer.organization.name}" (${viewer.organization.slug})`,
        `key:    ${viewer.apiKey ? keyLine(viewer.apiKey) : "none"}`,
        `scopes: ${viewer.scopes.join(",")}`,
      ].join("\n"),
    );
    return 0;
  });
}
