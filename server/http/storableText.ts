import type { ASTVisitor, ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import { badRequest } from "../errors.ts";

/**
 * PostgreSQL cannot store NUL characters or unpaired UTF-16 surrogates in text or JSON; one in
 * any input would fail deep in the database. Refuse them up front, in variables and in the
 * document's own string literals, as the caller's bad input.
 */
export function useStorableText(): Plugin {
  const refusal = () => badRequest("Inputs must be well-formed Unicode text without NUL characters.");
  const literals = (context: ValidationContext): ASTVisitor => ({
    StringValue(node) {
      if (!storable(node.value)) context.reportError(refusal());
    },
  });
  return {
    onParams({ params }) {
      if (!allStorable(params.query) || !allStorable(params.operationName) || !allStorable(params.variables)) throw refusal();
    },
    onValidate({ addValidationRule }) {
      addValidationRule(literals);
    },
  };
}

const storable = (text: string) => !text.includes("\u0000") && text.isWellFormed();

function allStorable(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return storable(value);
  if (depth > 64 || value === null || typeof value !== "object") return true;
  for (const [key, item] of Object.entries(value)) if (!storable(key) || !allStorable(item, depth + 1)) return false;
  return true;
}
