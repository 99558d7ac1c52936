import { setFlagsFromString } from "node:v8";
import { startKeyward } from "./app.ts";
import { firstBootBanner } from "./domain/bootstrap.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { createHttpServer } from "./http/nodeServer.ts";
import { createLogger, type Logger } from "./infra/logger.ts";

let logger: Logger = createLogger();

// V8 grows the old generation to up to 4× what survived its last full collection while requests
// pour in, and a server gone quiet never collects again to give it back: after a load round, idle
// RSS stayed at ~245 MB on PostgreSQL. Growing by half at most keeps it near 160 MB, for a little
// more frequent full collections of a small heap (`npm run bench` reports both).
setFlagsFromString("--heap-growing-percent=50");

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger(config.logLevel);
  const keyward = await startKeyward(config, logger);
  const where = config.databaseUrl ? "PostgreSQL" : `embedded PGlite in ${config.dataDir}`;
  if (keyward.db.migrated.length > 0) log(`applied migrations: ${keyward.db.migrated.join(", ")}`);
  if (keyward.firstBoot) process.stdout.write(firstBootBanner(keyward.firstBoot, keyward.signInUrl).replace("PORT", String(config.port)) + "\n");

  const server = createHttpServer(config, keyward.yoga);
  server.on("error", (error: NodeJS.ErrnoException) => {
    process.stderr.write(`Keyward could not listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`);
    void keyward.close().finally(() => process.exit(1));
  });
  server.listen(config.port, config.host, () => {
    log(`Keyward is serving ${config.publicUrl}/graphql (listening on ${config.host}:${config.port}, ${where})`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing in-flight requests, flushing usage, closing the database`);
    server.close(() => void keyward.close().then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

function log(message: string): void {
  logger.info(message);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Keyward: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`Keyward failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  }
  process.exit(1);
});
