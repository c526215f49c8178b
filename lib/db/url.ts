import path from "node:path";
import fs from "node:fs";

export const DEFAULT_DATABASE_URL = "file:./data/gateway.db";

export type DatabaseTarget =
  | { provider: "sqlite"; url: string; filename: string }
  | {
      provider: "postgres";
      url: string;
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      ssl: boolean;
      schema: string | undefined;
    };

/** Reads DATABASE_URL: `postgres://` / `postgresql://` selects PostgreSQL, anything else is a SQLite file. */
export function parseDatabaseUrl(raw: string | undefined): DatabaseTarget {
  const url = raw && raw.trim() !== "" ? raw.trim() : DEFAULT_DATABASE_URL;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const u = new URL(url);
    const sslmode = u.searchParams.get("sslmode");
    return {
      provider: "postgres",
      url,
      host: decodeURIComponent(u.hostname) || "127.0.0.1",
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
      ssl: sslmode !== null && sslmode !== "disable",
      schema: u.searchParams.get("schema") ?? undefined,
    };
  }
  if (!url.startsWith("file:")) {
    throw new Error(`DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL), got "${url.split(":")[0]}:..."`);
  }
  const filename = path.resolve(url.slice("file:".length).replace(/\?.*$/, ""));
  return { provider: "sqlite", url, filename };
}

/** SQLite is created on first start: make sure its folder exists. */
export function ensureSqliteDirectory(target: DatabaseTarget): void {
  if (target.provider === "sqlite") fs.mkdirSync(path.dirname(target.filename), { recursive: true });
}

/** node-postgres pool settings as separate fields (a connectionString would override `database`). */
export function postgresPoolConfig(target: Extract<DatabaseTarget, { provider: "postgres" }>) {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: target.ssl ? { rejectUnauthorized: false } : undefined,
  };
}
