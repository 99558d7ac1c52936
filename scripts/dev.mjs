// `npm run dev`: the console rebuilt on every change (the open page reloads itself when a
// build lands) and the server restarted by tsx on every change to its files. Ctrl+C stops both.
import { spawn } from "node:child_process";

const children = [
  spawn(process.execPath, ["console/build.mjs", "--watch"], { stdio: "inherit" }),
  // npm puts node_modules/.bin on PATH for scripts.
  spawn("tsx", ["watch", "server/main.ts"], { stdio: "inherit" }),
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
