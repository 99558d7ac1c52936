import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Pothos and Yoga; Vite would pick its .mjs build for our
    // files. Two copies of graphql refuse each other's types, so ours use the one Node uses.
    alias: [
      { find: /^graphql$/, replacement: "graphql/index.js" },
      // The examples import the SDK as integrators do; here it is the SDK's source.
      { find: /^@keyward\/sdk$/, replacement: fileURLToPath(new URL("./sdk/src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    pool: "forks",
    // Each worker holds one database (~0.3 GB for PGlite); two match these 2-core machines.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
