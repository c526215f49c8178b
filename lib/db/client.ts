// The app's database client: one per process, kept on globalThis because Next.js evaluates this module
// separately in the instrumentation, route and page bundles. Constructing it does not connect.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient, Prisma } from "./generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { ensureSqliteDirectory, parseDatabaseUrl, postgresPoolConfig, type DatabaseTarget } from "./url";
import { LruCache } from "../lru";
import type { Pool } from "pg";
import { postgresDirect, sqliteDirect, type DirectSql, type SqliteConnection, type TransactionGate } from "./direct";

/** Both generated clients have the same model API; the SQLite one's types stand for both. */
export type Db = SqliteClient;
export type Tx = Prisma.TransactionClient;
export { Prisma };

/** How long a transaction on PostgreSQL may sit idle between its statements before the server ends it. */
export const TRANSACTION_IDLE_LIMIT_MS = 15_000;

export function createDb(databaseUrl: string | undefined): { db: Db; target: DatabaseTarget; direct: DirectSql } {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === "sqlite") {
    ensureSqliteDirectory(target);
    // WAL and a busy timeout let the worker and request handlers write concurrently without SQLITE_BUSY.
    const adapter = new PrismaBetterSQLite3({ url: target.filename, timeout: 10_000 });
    const connect = adapter.connect.bind(adapter);
    let connection: { db: SqliteConnection; gate: TransactionGate } | undefined;
    adapter.connect = async () => {
      const connected = await connect();
      const client = (connected as unknown as { client: SqliteDatabase & SqliteConnection }).client;
      // The plain statements of lib/db/direct.ts keep their own prepared statements, made by the original prepare.
      const own: SqliteConnection = { prepare: client.prepare.bind(client) };
      reusePreparedStatements(client);
      connection = { db: own, gate: keepTransactionsApart(connected as unknown as SqliteAdapter) };
      return connected;
    };
    const db = new SqliteClient({ adapter });
    const direct = sqliteDirect(
      async () => {
        if (!connection) await db.$connect();
        return connection!;
      },
      (fn) => transaction(db, fn),
    );
    return { db, target, direct };
  }
  const adapter = new PrismaPg(
    // A transaction left open and idle (its code waiting on something that never comes) is ended by the server and
    // its connection closed, instead of holding a pool client for good. Prisma's own transactions end at 15 s too.
    { ...postgresPoolConfig(target), max: 10, idle_in_transaction_session_timeout: TRANSACTION_IDLE_LIMIT_MS },
    target.schema ? { schema: target.schema } : undefined,
  );
  let pool: Pool | undefined;
  const connect = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const connected = await connect();
    pool = (connected as unknown as { client: Pool }).client;
    return connected;
  };
  const db = new PostgresClient({ adapter }) as unknown as Db;
  const direct = postgresDirect(async () => {
    if (!pool) await db.$connect();
    return pool!;
  });
  return { db, target, direct };
}

interface SqliteStatement {
  readonly reader: boolean;
  columns(): unknown[];
  run(...params: unknown[]): unknown;
  raw(toggle?: boolean): SqliteStatement;
  all(...params: unknown[]): unknown[];
  bind(...params: unknown[]): SqliteStatement;
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

/** Statements kept prepared per connection: the app's SQL is a few hundred distinct texts. */
const PREPARED_STATEMENTS = 500;

/**
 * The SQLite adapter prepares every statement anew (better-sqlite3's prepare: parsing and planning, a good part of a
 * statement's cost here). Each SQL text is prepared once per connection and kept (least recently used out); what the
 * adapter does with it (bind, then run, or raw rows) is given the same statement with the parameters each time.
 */
function reusePreparedStatements(db: SqliteDatabase): void {
  const prepare = db.prepare.bind(db);
  const cache = new LruCache<string, SqliteStatement>(PREPARED_STATEMENTS);
  db.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return reusable(statement);
  };
}

/** A prepared statement as the adapter uses it: `bind(params)` once, then `run()`, `columns()` or `raw().all()`. */
function reusable(statement: SqliteStatement): SqliteStatement {
  const bound = (params: unknown[]): SqliteStatement => ({
    get reader() {
      return statement.reader;
    },
    columns: () => statement.columns(),
    run: () => statement.run(...params),
    raw: () => ({ ...bound(params), all: () => statement.raw(true).all(...params) }),
    all: () => statement.raw(false).all(...params),
    bind: () => {
      throw new Error("reusable statement: bound twice");
    },
  });
  return { ...bound([]), bind: (...params: unknown[]) => bound(params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params) };
}

interface SqliteQueryable {
  queryRaw(query: unknown): Promise<unknown>;
  executeRaw(query: unknown): Promise<unknown>;
}
interface SqliteTransaction extends SqliteQueryable {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
interface SqliteAdapter extends SqliteQueryable {
  executeScript(script: string): Promise<void>;
  startTransaction(isolationLevel?: unknown): Promise<SqliteTransaction>;
}

/**
 * SQLite has one connection here, and whatever runs on it while a transaction is open belongs to that transaction:
 * Prisma's adapter sends a statement made outside any transaction (the webhook storing an event, a worker's claim)
 * straight to the connection, where it is committed or rolled back with whichever transaction happens to be open,
 * and a rollback loses it after its caller was told it was written. So a statement outside a transaction waits
 * until no transaction is open or starting. Transactions are short (a payment's move, a few statements).
 */
function keepTransactionsApart(adapter: SqliteAdapter): TransactionGate {
  let open = 0;
  let idle: Promise<void> | null = null;
  let settle: () => void = () => {};
  const enter = () => {
    if (open++ === 0) idle = new Promise<void>((resolve) => (settle = resolve));
  };
  const leave = () => {
    if (--open === 0) {
      idle = null;
      settle();
    }
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    enter();
    let tx: SqliteTransaction;
    try {
      tx = await startTransaction(isolationLevel);
    } catch (error) {
      leave();
      throw error;
    }
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        leave();
      }
    };
    const commit = tx.commit.bind(tx);
    const rollback = tx.rollback.bind(tx);
    tx.commit = () => commit().finally(end);
    tx.rollback = () => rollback().finally(end);
    return tx;
  };
  for (const name of ["queryRaw", "executeRaw"] as const) {
    const run = adapter[name].bind(adapter);
    adapter[name] = async (query) => {
      while (idle) await idle;
      return run(query);
    };
  }
  const executeScript = adapter.executeScript.bind(adapter);
  adapter.executeScript = async (script) => {
    while (idle) await idle;
    return executeScript(script);
  };
  return {
    open: () => idle !== null,
    ended: () => idle ?? Promise.resolve(),
  };
}

/**
 * True when a write failed on a unique constraint (the database refusing a duplicate): through Prisma (P2002), or
 * straight from the driver (lib/db/direct.ts): PostgreSQL's 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: string }).code : undefined;
  return code === "P2002" || code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
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
