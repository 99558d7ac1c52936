// Set by console/build.mjs: true only in `npm run dev` (--watch), so production bundles drop the poller.
declare const KEYWARD_DEV: boolean;

/** In development, reload the page when esbuild finishes a new build (it rewrites build.json). */
export function watchForBuilds(): void {
  if (!KEYWARD_DEV) return;
  let seen: string | undefined;
  setInterval(async () => {
    try {
      const stamp = await (await fetch("/console/assets/build.json", { cache: "no-store" })).text();
      if (seen !== undefined && stamp !== seen) location.reload();
      seen = stamp;
    } catch {
      // The server is restarting: try again on the next tick.
    }
  }, 1000);
}
