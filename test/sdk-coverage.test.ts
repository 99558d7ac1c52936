import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import { Keyward } from "../sdk/src/index.ts";

const root = join(import.meta.dirname, "..");
const schema = buildSchema(readFileSync(join(root, "schema.graphql"), "utf8"));
const operationsDir = join(root, "sdk", "operations");
const files = readdirSync(operationsDir).filter((f) => f.endsWith(".graphql"));
const documents: Array<{ file: string; document: DocumentNode }> = files.map((file) => ({
  file,
  document: parse(readFileSync(join(operationsDir, file), "utf8")),
}));
const operations = documents.flatMap(({ file, document }) =>
  document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((operation) => ({ file, operation })),
);
const rootFields = (operation: OperationDefinitionNode) =>
  operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD).map((s) => `${operation.operation}.${s.name.value}`);
const schemaRootFields = [
  ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `query.${f}`),
  ...Object.keys(schema.getMutationType()!.getFields()).map((f) => `mutation.${f}`),
];

describe("sdk/operations covers the schema", () => {
  it("has an operation for every root field of the schema", () => {
    const covered = new Set(operations.flatMap(({ operation }) => rootFields(operation)));
    expect(schemaRootFields.filter((f) => !covered.has(f))).toEqual([]);
  });

  it("has one named operation per root field, selecting only that field, mutations through $input", () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const { file, operation } of operations) {
      const name = operation.name?.value;
      const fields = rootFields(operation);
      if (!name) problems.push(`${file}: an anonymous operation`);
      if (fields.length !== 1 || operation.selectionSet.selections.length !== 1) problems.push(`${file}: ${name} selects ${fields.join(", ")}`);
      for (const field of fields) {
        if (seen.has(field)) problems.push(`${field} is selected by both ${seen.get(field)} and ${name}`);
        seen.set(field, name ?? "?");
      }
      if (operation.operation === "mutation") {
        const variables = (operation.variableDefinitions ?? []).map((v) => v.variable.name.value);
        if (variables.join() !== "input") problems.push(`${name} takes ${variables.join(", ") || "nothing"}, not $input`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("validates every operation against the schema", async () => {
    const { validate } = await import("graphql");
    const all = { kind: Kind.DOCUMENT, definitions: documents.flatMap((d) => d.document.definitions) } as DocumentNode;
    expect(validate(schema, all).map((e) => e.message)).toEqual([]);
  });

  it("gives every root field a method on the client", () => {
    const fields = schemaRootFields.map((f) => f.split(".")[1]!);
    const methods = Object.getOwnPropertyNames(Keyward.prototype);
    expect(fields.filter((f) => !methods.includes(f))).toEqual([]);
  });

  it("selects a secret only in the payloads that return one, never in a query", () => {
    // The fields that carry a full key or a one-time code.
    const secretFields = new Set(["secret", "InviteMemberPayload.code", "ConnectAgentPayload.command", "ConnectAgentPayload.deeplink", "ConnectAgentPayload.connectorUrl"]);
    const all = { kind: Kind.DOCUMENT, definitions: documents.flatMap((d) => d.document.definitions) } as DocumentNode;
    const fragmentsWithSecrets = new Set<string>();
    const found: string[] = [];
    const typeInfo = new TypeInfo(schema);
    let current = "";
    visit(
      all,
      visitWithTypeInfo(typeInfo, {
        OperationDefinition: (node) => void (current = `${node.operation} ${node.name?.value}`),
        FragmentDefinition: (node) => void (current = `fragment ${node.name.value}`),
        Field(node) {
          const parent = getNamedType(typeInfo.getParentType());
          if (!parent || !(secretFields.has(node.name.value) || secretFields.has(`${parent.name}.${node.name.value}`))) return;
          if (current.startsWith("fragment")) fragmentsWithSecrets.add(current);
          found.push(`${current}: ${parent.name}.${node.name.value}`);
        },
      }),
    );
    expect([...fragmentsWithSecrets]).toEqual([]);
    expect(found.filter((f) => !f.startsWith("mutation ") || !/^mutation \w+: \w+Payload\./.test(f))).toEqual([]);
    // Every payload that returns a secret is asked for it: the SDK hands it to the caller.
    const payloadsWithSecret = Object.values(schema.getTypeMap()).filter((t) => "getFields" in t && t.name.endsWith("Payload") && "secret" in t.getFields());
    const selected = new Set(found.map((f) => f.split(": ")[1]));
    expect(payloadsWithSecret.map((t) => `${t.name}.secret`).filter((s) => !selected.has(s))).toEqual([]);
  });
});
