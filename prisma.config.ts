// Prisma CLI configuration. DATABASE_URL picks the provider folder (prisma/sqlite or prisma/postgres);
// every command runs through Prisma's JavaScript schema engine and a driver adapter, so nothing is
// downloaded, here or on a dealer's server.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { ensureSqliteDirectory, parseDatabaseUrl, DEFAULT_DATABASE_URL } from "./lib/db/url";
import { cliAdapterFactory } from "./prisma/cli-adapter";

// An unresolved env("DATABASE_URL") makes the CLI fall back to downloading an engine: always set it.
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
const target = parseDatabaseUrl(process.env.DATABASE_URL);
ensureSqliteDirectory(target);
const folder = path.join("prisma", target.provider);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: folder,
  migrations: { path: path.join(folder, "migrations") },
  adapter: async () => cliAdapterFactory(target),
});
