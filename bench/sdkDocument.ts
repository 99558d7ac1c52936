import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from "graphql";

const operationsDir = join(import.meta.dirname, "..", "sdk", "operations");

/**
 * The document the SDK sends for one of its operations (e.g. `VerifyApiKey`, what `verifyRequest`
 * sends): the operation from sdk/operations with the fragments it uses, so the bench measures
 * exactly what an integrator's every call costs.
 */
export function sdkDocument(operationName: string): string {
  const definitions: DefinitionNode[] = readdirSync(operationsDir)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) => parse(readFileSync(join(operationsDir, file), "utf8")).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const operation = definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName);
  if (!operation) throw new Error(`sdk/operations has no operation ${operationName}`);
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return [operation, ...used.values()].map((d) => print(d)).join("\n");
}
