// Prints the schema from the code into schema.graphql (sorted), writing only when it changed.
// `--check` fails instead of writing, so CI catches a schema that drifted from the contract.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { printSchema } from "graphql";
import { schema } from "../server/schema/index.ts";

const target = join(import.meta.dirname, "..", "schema.graphql");
const printed = printSchema(schema) + "\n";
const current = await readFile(target, "utf8").catch(() => "");

if (current === printed) {
  console.log("schema.graphql is up to date.");
} else if (process.argv.includes("--check")) {
  console.error("schema.graphql is out of date: run `npm run generate` and commit it.");
  process.exit(1);
} else {
  await writeFile(target, printed);
  console.log("schema.graphql written.");
}
