import type { ASTVisitor, ValidationContext } from "graphql";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import type { Config } from "../config.ts";
import { badRequest, errorResponse, KeywardError } from "../errors.ts";
import { isSecure, type ServerContext } from "./request.ts";
import { PROBE_PATHS } from "./routes.ts";

/** With KEYWARD_REQUIRE_HTTPS, plain HTTP is refused before anything else, the key included. */
export function useHttpsRequired(config: Config): Plugin<{}, ServerContext> {
  return {
    onRequest({ request, url, endResponse, serverContext }) {
      // Probes and scrapers speak plain HTTP inside the deployment's network.
      if (!config.requireHttps || PROBE_PATHS.has(url.pathname)) return;
      if (isSecure(request, serverContext, config.trustProxy)) return;
      endResponse(errorResponse(new KeywardError("HTTPS_REQUIRED", "This Keyward accepts HTTPS only.")));
    },
  };
}

/**
 * Request bodies over the limit get 413 without being read: by Content-Length up front, and
 * by counting while reading. JSON bodies are always read and parsed here: Yoga's own parser
 * would quote a malformed body (a key in it included) back in its error.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () => badRequest(`The request body is over ${maxBytes} bytes.`, 413, { connection: "close" });
  return {
    onRequest({ request, endResponse }) {
      const length = request.headers.get("content-length");
      if (length !== null && Number(length) > maxBytes) endResponse(errorResponse(tooLarge()));
    },
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== "POST") return;
      if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
        if (request.headers.get("content-length") !== null) return;
        // No declared length (chunked): only JSON is read, with a limit, and parsed here.
        throw badRequest("Send a Content-Length, or a JSON body.", 411);
      }
      setRequestParser(async (req) => {
        const text = await readLimited(req, maxBytes, tooLarge);
        let params: unknown;
        try {
          params = JSON.parse(text);
        } catch {
          throw badRequest("The request body is not valid JSON.");
        }
        if (!params || typeof params !== "object" || Array.isArray(params)) {
          throw badRequest("The request body must be a JSON object.");
        }
        return params as GraphQLParams;
      });
    },
  };
}

async function readLimited(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The client went away mid-body (or was cut off by the request timeout): its doing, not ours.
      throw badRequest("The request body was not received in full.");
    });
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

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
