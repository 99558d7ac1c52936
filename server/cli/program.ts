import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { UsageError } from "./usageError.ts";

const HELP = `keyward — a self-hostable API key service

Usage:
  keyward start                          run the server (what \`npm start\` runs)
  keyward migrate                        apply pending database migrations and exit
  keyward init --org <name> --email <e>  create an organization and its admin; prints the admin key once
                                         (an email that already has an account is refused, as by signUp)
  keyward recover --email <e> [--org <slug>]
                                         a new personal key for an admin who lost theirs; prints it once
  keyward signin-link --email <e> [--org <slug>]
                                         a one-time console sign-in link (15 minutes) for a member
  keyward keys create --name <n> [--scopes A,B] [--env live|test] [--kind personal|service]
  keyward keys list [--status enabled|disabled|revoked]
  keyward keys rotate <id> [--grace <seconds>]
  keyward keys revoke <id>
  keyward keys disable <id>
  keyward keys enable <id>
  keyward keys rename <id> --name <new name>
  keyward keys delete <id> [--confirm]   --confirm: also a key used in the last 24 h
  keyward keys verify <key>              exit 0 when valid, 1 (with the code) when not
  keyward whoami                         the calling key, its owner, organization, role and scopes
  keyward members list
  keyward members invite --email <e> [--role admin|member]   prints the one-time code once
  keyward members role <user id|email> --role admin|member
  keyward members remove <user id|email>                     revokes their personal keys
  keyward platform-keys create --name <n> [--scopes platform_read,platform_write,platform_verify]
                                         a platform key (every organization); prints it once
  keyward platform-keys list | revoke <id>
                                         on Keyward's machine, like init (--json for JSON)

Options for \`keys\`, \`whoami\` and \`members\` (they talk to a running Keyward through @keyward/sdk):
  --url <url>     Keyward's GraphQL URL   (default: $KEYWARD_URL, else http://localhost:$PORT/graphql)
  --key <key>     the API key to act with (default: $KEYWARD_KEY)
  --json          print JSON instead of text

\`migrate\`, \`init\`, \`recover\` and \`signin-link\` open the database themselves: on the embedded database,
stop the running Keyward first (or use PostgreSQL).

Configuration comes from environment variables (see README). Exit codes: 0 done,
1 refused or failed (the error code is printed), 2 wrong usage or configuration.`;

// Every command is imported when it runs: `keyward --help` loads none of them (nor the SDK and graphql).
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  switch (command) {
    case "start":
      await import("../main.ts");
      return -1;
    case "migrate":
      return (await import("./database.ts")).migrateCommand(loadConfig());
    case "init": {
      const { values } = parseArgs({ args: rest, options: { org: { type: "string" }, email: { type: "string" } }, strict: true });
      if (!values.org || !values.email) throw new UsageError("init needs --org <name> and --email <admin email>.");
      return (await import("./database.ts")).initCommand(loadConfig(), values.org, values.email);
    }
    case "recover": {
      const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, org: { type: "string" } }, strict: true });
      if (!values.email) throw new UsageError("recover needs --email <admin email> (and --org <slug> when they administer several).");
      return (await import("./database.ts")).recoverCommand(loadConfig(), values.email, values.org);
    }
    case "signin-link": {
      const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, org: { type: "string" } }, strict: true });
      if (!values.email) throw new UsageError("signin-link needs --email <member email> (and --org <slug> when they belong to several).");
      return (await import("./signinLink.ts")).signinLinkCommand(loadConfig(), values.email, values.org);
    }
    case "keys":
      return (await import("./keys.ts")).keysCommand(rest);
    case "members":
      return (await import("./members.ts")).membersCommand(rest);
    case "whoami":
      return (await import("./whoami.ts")).whoamiCommand(rest);
    case "platform-keys":
      return (await import("./platformKeys.ts")).platformKeysCommand(loadConfig(), rest);
    default:
      throw new UsageError(`Unknown command "${command}". Run \`keyward --help\`.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      // One line (parseArgs explains some mistakes over several).
      process.stderr.write(`keyward: ${(error as Error).message.trim().replace(/\s*\n\s*/g, " ")}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`keyward: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`keyward: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
