import { defineConfig } from "prisma/config";

// Keyward applies migrations itself at boot (server/infra/migrate.ts), so the CLI only needs
// a URL for `prisma migrate deploy` where an operator runs it by hand.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/keyward" },
});
