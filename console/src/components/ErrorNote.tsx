import { errorWords } from "../errors.ts";

/** An API error in words (by its code), announced when it appears. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="error" role="alert">
      {errorWords(error)}
    </p>
  );
}
