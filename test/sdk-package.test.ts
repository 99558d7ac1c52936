import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";

const root = join(import.meta.dirname, "..");
const sdkDir = join(root, "sdk");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
let server: Server | undefined;
const dirs: string[] = [];
afterAll(async () => {
  server?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Runs a command to its end; the exit code and output, whatever the code. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
const succeeded = (result: { code: number; stdout: string; stderr: string }) =>
  expect(result, `${result.stdout}\n${result.stderr}`).toMatchObject({ code: 0 });

/** A ```ts block that uses the SDK (README.md's and sdk/README.md's example). */
const SDK_EXAMPLE = /```ts\n(import \{ Keyward[^]*?)```/g;

/** What the issue asks a new user to manage in ten lines: create, list, rotate, revoke, and a revoked key refused. */
const consumer = `
import { Keyward, KeywardError, type ApiKey, type KeywardErrorCode } from "@keyward/sdk";
declare const process: { env: Record<string, string | undefined> };

const url = process.env.KEYWARD_URL!;
const kw = new Keyward({ url, apiKey: process.env.KEYWARD_KEY });
const { apiKey, secret } = await kw.createApiKey({ name: "from the tarball", scopes: ["KEYS_READ"] });
const listed: ApiKey[] = [];
for await (const key of kw.paginate.apiKeys({ status: "ENABLED", first: 1 })) listed.push(key);
const rotated = await kw.rotateApiKey({ id: apiKey.id, gracePeriodSeconds: 0 });
const { apiKey: revoked } = await kw.revokeApiKey({ id: apiKey.id });
let refusal: { code: KeywardErrorCode; status: number } | undefined;
try {
  await new Keyward({ url, apiKey: rotated.secret }).viewer();
} catch (error) {
  if (error instanceof KeywardError && error.code === "API_KEY_REVOKED") refusal = { code: error.code, status: error.status };
}
console.log(JSON.stringify({ secret, rotated: rotated.secret, id: apiKey.id, listed: listed.map((k) => k.id), status: revoked.status, refusal }));

// Compiled, never run: were the types loose (any), these expectations of an error would fail the check.
export function typesAreStrict(key: ApiKey): void {
  // @ts-expect-error a status outside the closed union
  void kw.paginate.apiKeys({ status: "ACTIVE" });
  // @ts-expect-error a listed key never carries its secret
  void key.secret;
  // @ts-expect-error mutations take their input object, not the id
  void kw.revokeApiKey(key.id);
  // @ts-expect-error KeywardError codes are a closed list
  const code: KeywardErrorCode = "API_KEY_GONE";
  void code;
}
`;

/** The worker's Keyward on a real port, for programs run in another process. */
async function liveKeyward(): Promise<{ origin: string }> {
  if (!server) {
    const served = await listen((await testServer()).yoga);
    server = served.server;
    return served;
  }
  const address = server.address();
  return { origin: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` };
}

/** Builds and packs the SDK once per file (the two tests below share the tarball, so no two builds race). */
let packing: Promise<{ tarball: string; files: string[] }> | undefined;
function packSdk() {
  packing ??= (async () => {
    succeeded(await run("npm", ["run", "build:sdk"], { cwd: root }));
    const packDir = await mkdtemp(join(tmpdir(), "keyward-pack-"));
    dirs.push(packDir);
    const packed = await run("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: sdkDir });
    succeeded(packed);
    const [manifest] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
    const tarball = join(packDir, (await readdir(packDir)).find((f) => f.endsWith(".tgz"))!);
    return { tarball, files: manifest!.files.map((f) => f.path).sort() };
  })();
  return packing;
}

it("packs a tarball of built JS and types only, which an empty project installs, type-checks strictly and runs against a live Keyward", async () => {
  const { tarball, files } = await packSdk();
  const project = await mkdtemp(join(tmpdir(), "keyward-consumer-"));
  dirs.push(project);

  expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/generated.js", "dist/generated.d.ts", "package.json", "README.md", "LICENSE"]));
  expect(files.filter((f) => !/^(dist\/[\w.-]+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
  for (const file of files.filter((f) => f.endsWith(".js"))) {
    const source = await readFile(join(sdkDir, file), "utf8");
    expect(source, file).not.toMatch(/from\s+["'](\.\.\/|.*server\/)|\.ts["']/);
  }

  succeeded(await run(bin("publint"), [sdkDir]));
  // ESM only (sdk/.attw.json): the profile leaves out the CommonJS resolutions, where an ESM package is import-only.
  succeeded(await run(bin("attw"), ["--pack", "."], { cwd: sdkDir }));

  const typescript = (JSON.parse(await readFile(join(root, "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  succeeded(
    await run("npm", ["install", tarball, "graphql@16", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project }),
  );
  const installed = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  expect(Object.keys(installed.dependencies).sort()).toEqual(["@keyward/sdk", "graphql"]);
  // CommonJS callers require() the ES module.
  const required = await run(process.execPath, ["-e", `console.log(typeof require("@keyward/sdk").Keyward)`], { cwd: project });
  succeeded(required);
  expect(required.stdout.trim()).toBe("function");
  // What sdk/README.md tells TypeScript users to add.
  succeeded(
    await run("npm", ["install", "-D", `typescript@${typescript}`, "@types/node@22", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project }),
  );

  await writeFile(join(project, "main.ts"), consumer);
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        target: "es2022",
        noEmit: true,
        skipLibCheck: false,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        types: [],
      },
      files: ["main.ts"],
    }),
  );
  succeeded(await run(join(project, "node_modules", ".bin", "tsc"), ["--noEmit", "--strict", "-p", project]));

  // The examples in both READMEs, as written, with the setup sdk/README.md describes.
  const snippets = [...(await readFile(join(root, "README.md"), "utf8")).matchAll(SDK_EXAMPLE), ...(await readFile(join(sdkDir, "README.md"), "utf8")).matchAll(SDK_EXAMPLE)];
  expect(snippets).toHaveLength(2);
  const readmeFiles = await Promise.all(
    snippets.map(async (match, i) => {
      await writeFile(join(project, `readme-${i}.ts`), match[1]!);
      return `readme-${i}.ts`;
    }),
  );
  await writeFile(
    join(project, "tsconfig.readme.json"),
    JSON.stringify({
      compilerOptions: { strict: true, module: "nodenext", target: "es2022", noEmit: true, types: ["node"], noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true },
      files: readmeFiles,
    }),
  );
  succeeded(await run(join(project, "node_modules", ".bin", "tsc"), ["-p", join(project, "tsconfig.readme.json")]));

  const served = await liveKeyward();
  const org = await seedOrganization("Tarball");
  const tsx = join(root, "node_modules", "tsx", "dist", "esm", "index.mjs");
  const result = await run(process.execPath, ["--import", tsx, join(project, "main.ts")], {
    cwd: project,
    env: { ...process.env, KEYWARD_URL: `${served.origin}/graphql`, KEYWARD_KEY: org.adminKey },
  });
  succeeded(result);
  const out = JSON.parse(result.stdout) as { secret: string; rotated: string; id: string; listed: string[]; status: string; refusal: unknown };
  expect(out.secret).toMatch(new RegExp(`^kw_live_${out.id}_`));
  expect(out.rotated).toMatch(new RegExp(`^kw_live_${out.id}_`));
  expect(out.rotated).not.toBe(out.secret);
  expect(out.listed).toHaveLength(2); // the admin's key and the new one, one page each
  expect(out.listed).toContain(out.id);
  expect(out.status).toBe("REVOKED");
  expect(out.refusal).toEqual({ code: "API_KEY_REVOKED", status: 403 });
}, 240_000);

// README's "The SDK" section, word for word: what a fresh project needs, and its index.ts. `npm init -y`
// writes "type": "commonjs" (top-level await fails) and TypeScript 7's `tsc --init` writes
// "types": [] (no `process`), hence the module type and a tsconfig of its own.
const FRESH_PROJECT_STEPS = [
  ["npm", "init", "-y"],
  ["npm", "pkg", "set", "type=module"],
  ["npm", "install", "<tarball>", "graphql"],
  ["npm", "install", "-D", "typescript", "@types/node@22", "tsx"],
] as const;
const FRESH_TSCONFIG = {
  compilerOptions: { module: "nodenext", target: "es2022", strict: true, noEmit: true, types: ["node"] },
};
const FRESH_INDEX_TS = `import { Keyward, KeywardError } from "@keyward/sdk";

const url = process.env.KEYWARD_URL ?? "http://localhost:4000/graphql";
const kw = new Keyward({ url, apiKey: process.env.KEYWARD_KEY });
const { apiKey, secret } = await kw.createApiKey({ name: "CI", scopes: ["KEYS_READ"] }); // secret: the full key, shown once
console.log("created", apiKey.maskedKey);
for await (const key of kw.paginate.apiKeys({ status: "ENABLED" })) console.log("enabled", key.maskedKey, key.name);
const rotated = await kw.rotateApiKey({ id: apiKey.id, gracePeriodSeconds: 60 });
await kw.revokeApiKey({ id: apiKey.id });
try {
  await new Keyward({ url, apiKey: rotated.secret }).viewer();
} catch (error) {
  if (error instanceof KeywardError && error.code === "API_KEY_REVOKED") console.log("revoked, as expected", error.status);
}
`;

it("README's SDK steps work in a fresh project from npm init -y: tsc type-checks index.ts and npx tsx runs it against a live Keyward", async () => {
  const started = Date.now();
  // What README says, word for word: the steps, the tsconfig and index.ts.
  const readme = await readFile(join(root, "README.md"), "utf8");
  for (const step of FRESH_PROJECT_STEPS) {
    const line = step.map((a) => (a === "<tarball>" ? "/path/to/keyward/sdk/keyward-sdk-0.1.0.tgz" : a)).join(" ");
    expect(readme).toContain(line);
  }
  expect(readme).toContain(JSON.stringify(FRESH_TSCONFIG.compilerOptions).replaceAll(",", ", ").replaceAll(":", ": ").replace("{", "{ ").replace(/}$/, " }"));
  expect(readme).toContain(FRESH_INDEX_TS);
  const { tarball } = await packSdk();
  const project = await mkdtemp(join(tmpdir(), "keyward-fresh-"));
  dirs.push(project);
  // The registry and nothing else (npm's cache first); the same steps a person types.
  const npmFlags = ["--no-audit", "--no-fund", "--prefer-offline"];
  for (const step of FRESH_PROJECT_STEPS) {
    const [command, ...args] = step.map((a) => (a === "<tarball>" ? tarball : a));
    succeeded(await run(command!, command === "npm" && args[0] === "install" ? [...args, ...npmFlags] : args, { cwd: project }));
  }
  expect(JSON.parse(await readFile(join(project, "package.json"), "utf8"))).toMatchObject({ type: "module" });
  await writeFile(join(project, "tsconfig.json"), JSON.stringify(FRESH_TSCONFIG, null, 2));
  await writeFile(join(project, "index.ts"), FRESH_INDEX_TS);
  succeeded(await run("npx", ["tsc"], { cwd: project }));

  const { origin } = await liveKeyward();
  const org = await seedOrganization("Fresh project");
  const env = { ...process.env, KEYWARD_URL: `${origin}/graphql` };
  const ran = await run("npx", ["tsx", "index.ts"], { cwd: project, env: { ...env, KEYWARD_KEY: org.adminKey } });
  succeeded(ran);
  const lines = ran.stdout.trim().split("\n");
  const created = /^created (kw_live_\w{12}_…\w{4})$/.exec(lines[0] ?? "")?.[1];
  expect(created, ran.stdout).toBeDefined();
  expect(lines.filter((l) => l.startsWith("enabled ")).map((l) => l.split(" ")[1])).toContain(created);
  expect(lines.at(-1)).toBe("revoked, as expected 403");

  // Without KEYWARD_KEY the SDK says the key is missing, before any request.
  const keyless = await run("npx", ["tsx", "index.ts"], { cwd: project, env: { ...env, KEYWARD_KEY: "" } });
  expect(keyless.code).not.toBe(0);
  expect(keyless.stderr).toMatch(/code: 'API_KEY_MISSING'/);
  expect(Date.now() - started).toBeLessThan(120_000);
}, 240_000);
