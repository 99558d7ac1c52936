// `npm run dev`: esbuild rebuilds the console on every change to console/src or the SDK, and tsx
// restarts the server on every change to its files and after every console build (the server
// keeps the console's files in memory); the open page polls build.json and reloads itself.
// Ctrl+C stops both.
import { spawn } from "node:child_process";

const children = [
  spawn(process.execPath, ["console/build.mjs", "--watch"], { stdio: "inherit" }),
  // npm puts node_modules/.bin on PATH for scripts.
  spawn("tsx", ["watch", "--clear-screen=false", "--include", "console/dist/assets/build.json", "server/main.ts"], { stdio: "inherit" }),
];
const stop = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children) child.on("exit", (code) => {
  stop();
  process.exitCode = code ?? 0;
});
