import type { GraphQLParams, Plugin } from "graphql-yoga";
import { badRequest, errorResponse } from "../errors.ts";

/**
 * Request bodies over the limit get 413 without being read: by Content-Length up front, and
 * by counting while reading (Yoga's own limit, which pipes every body through a web stream to
 * count it, is off: server/yoga.ts). JSON bodies are always read and parsed here: Yoga's own parser
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
      // With a Content-Length (checked above), Node's parser reads no more than it declares: the
      // body is read whole, without a web stream. Without one, it is counted while read.
      const declared = request.headers.get("content-length") !== null;
      setRequestParser(async (req) => {
        const text = declared ? await req.text().catch(notReceived) : await readLimited(req, maxBytes, tooLarge);
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

export async function readLimited(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(notReceived);
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

/** The client went away mid-body (or was cut off by the request timeout): its doing, not ours. */
function notReceived(): never {
  throw badRequest("The request body was not received in full.");
}
