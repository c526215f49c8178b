// The app's database client: one per process, kept on globalThis because Next.js evaluates this module
// separately in the instrumentation, route and page bundles. Constructing it does not connect.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient, Prisma } from "./generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { ensureSqliteDirectory, parseDatabaseUrl, postgresPoolConfig, type DatabaseTarget } from "./url";

/** Both generated clients have the same model API; the SQLite one's types stand for both. */
export type Db = SqliteClient;
export type Tx = Prisma.TransactionClient;
export { Prisma };

export function createDb(databaseUrl: string | undefined): { db: Db; target: DatabaseTarget } {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === "sqlite") {
    ensureSqliteDirectory(target);
    // WAL and a busy timeout let the worker and request handlers write concurrently without SQLITE_BUSY.
    const adapter = new PrismaBetterSQLite3({ url: target.filename, timeout: 10_000 });
    const db = new SqliteClient({ adapter });
    return { db, target };
  }
  const adapter = new PrismaPg(
    { ...postgresPoolConfig(target), max: 10 },
    target.schema ? { schema: target.schema } : undefined,
  );
  const db = new PostgresClient({ adapter }) as unknown as Db;
  return { db, target };
}

/** True when a write failed on a unique constraint (the database refusing a duplicate). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === "P2002";
}

/**
 * An interactive transaction, retried when SQLite reports a write conflict. In WAL mode a transaction
 * that read before another process wrote cannot upgrade to a writer (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT)
 * and waiting does not help: running it again from the start does. Every transaction here is safe to
 * re-run: it re-reads what it decides on, and a failed attempt was rolled back.
 */
export async function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { timeout: 15_000, maxWait: 15_000 });
    } catch (error) {
      if (attempt >= attempts || !isSqliteBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

function isSqliteBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // The SQLite adapter reports SQLITE_BUSY as a timeout (P1008, "Operation has timed out"); it is returned at
  // once, without waiting, when a reader in a transaction tries to become the writer while another is.
  return /SQLITE_BUSY|database is locked/.test(error.message) || (error as { code?: string }).code === "P1008";
}
