import { expect } from "vitest";
import { Keyward, KeywardError, type KeywardErrorCode, type KeywardOptions } from "../../sdk/src/index.ts";
import { testServer } from "./server.ts";

export const SDK_URL = "http://keyward.test/graphql";

/** Hands a request to the worker's real server in-process, as a `fetch` would send it over the network. */
export async function inProcessFetch(): Promise<NonNullable<KeywardOptions["fetch"]>> {
  const { yoga } = await testServer();
  return (url, init) => Promise.resolve(yoga.fetch(url, init));
}

/** The SDK as integrators use it, talking to the worker's real server through `yoga.fetch`. */
export async function sdk(apiKey?: string, options: Partial<KeywardOptions> = {}): Promise<Keyward> {
  return new Keyward({ url: SDK_URL, apiKey, fetch: await inProcessFetch(), ...options });
}

/** The KeywardError a call rejected with (fails the test when it resolved or threw something else). */
export async function keywardError(promise: Promise<unknown>, code: KeywardErrorCode, status?: number): Promise<KeywardError> {
  const error = await promise.then(
    (value) => ({ resolved: value }),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeywardError);
  const keyward = error as KeywardError;
  expect({ code: keyward.code, ...(status === undefined ? {} : { status: keyward.status }) }).toEqual({ code, ...(status === undefined ? {} : { status }) });
  return keyward;
}

/** A fetch in front of the real server that answers call `n` with `answer(n)`, or forwards when that gives nothing. */
export async function scripted(answer: (call: number) => Response | undefined): Promise<{ fetch: NonNullable<KeywardOptions["fetch"]>; calls: number[] }> {
  const forward = await inProcessFetch();
  const calls: number[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push(Date.now());
      return answer(calls.length) ?? forward(url, init);
    },
  };
}

/** A Keyward-shaped refusal. */
export const refusal = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ errors: [{ message: `refused with ${code}`, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
