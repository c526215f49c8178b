// Plain SQL sent straight to the driver under Prisma: its one SQLite connection (better-sqlite3, statements kept
// prepared) or its PostgreSQL pool. For the few statements every credited event makes (storing a webhook's event, a
// worker's claims, releases and Navixy call records, the sync's transaction), Prisma's request pipeline and query
// compiler cost several times the statement itself (docs/benchmarks.md). Same connection, same encodings as Prisma's
// adapters use (dates as ISO text with "+00:00" on SQLite, UTC timestamps on PostgreSQL), so rows written either way
// compare and read alike. Nothing here knows the ledger: callers write their SQL with `?` placeholders and say which
// columns of a row are dates and booleans.
import pg, { type Pool, type PoolClient, type QueryConfig } from "pg";
import { LruCache } from "../lru";

export interface DirectSql {
  readonly provider: "sqlite" | "postgres";
  /** Rows as objects; the columns named in `decode` are turned into Date or boolean. */
  query<T>(sql: string, params: readonly unknown[], decode?: RowDecoding): Promise<T[]>;
  /** Rows changed. */
  execute(sql: string, params: readonly unknown[]): Promise<number>;
  /**
   * `fn`'s statements in one transaction, committed when it returns and rolled back when it throws. On PostgreSQL a
   * pool client of its own; on SQLite Prisma's transaction, which keeps every other statement out while it is open.
   * Inside a transaction this runs `fn` in that same transaction.
   */
  transaction<T>(fn: (sql: DirectSql) => Promise<T>): Promise<T>;
  /** The same statements inside a Prisma transaction, for code that uses its models there too. */
  within(tx: PrismaRawQueries): DirectSql;
}

/** What `within` needs of a Prisma transaction: its raw statements. */
export interface PrismaRawQueries {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** Which columns of a result are dates and which are booleans (SQLite stores them as text and 0/1). */
export interface RowDecoding {
  dates?: readonly string[];
  booleans?: readonly string[];
}

export interface SqliteStatementHandle {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  safeIntegers(toggle?: boolean): SqliteStatementHandle;
  raw(toggle?: boolean): SqliteStatementHandle;
}

export interface SqliteConnection {
  prepare(sql: string): SqliteStatementHandle;
}

/** Whether a transaction is open on the SQLite connection, and when it ends (keepTransactionsApart in client.ts). */
export interface TransactionGate {
  open(): boolean;
  ended(): Promise<void>;
}

/**
 * SQLite: a statement outside a transaction runs only while none is open (checked right before it runs). A transaction
 * is Prisma's (`prismaTransaction`): its adapter opens one at a time on the one connection and the gate keeps the
 * others out, which an async transaction of our own on the shared connection would not.
 */
export function sqliteDirect(
  connection: () => Promise<{ db: SqliteConnection; gate: TransactionGate }>,
  prismaTransaction: <T>(fn: (tx: PrismaRawQueries) => Promise<T>) => Promise<T>,
): DirectSql {
  const statements = new LruCache<string, SqliteStatementHandle>(200);
  const statement = (db: SqliteConnection, sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql).safeIntegers(false);
      statements.set(sql, s);
    }
    return s;
  };
  const encode = (params: readonly unknown[]) =>
    params.map((p) => (p instanceof Date ? p.toISOString().replace("Z", "+00:00") : typeof p === "boolean" ? (p ? 1 : 0) : p));
  const direct: DirectSql = {
    provider: "sqlite",
    async query<T>(sql: string, params: readonly unknown[], decode?: RowDecoding): Promise<T[]> {
      const { db, gate } = await connection();
      while (gate.open()) await gate.ended();
      // Nothing awaited between the check and the statement: no transaction can have begun meanwhile.
      const rows = statement(db, sql).raw(false).all(...encode(params)) as Record<string, unknown>[];
      return decode ? rows.map((row) => decodeSqliteRow(row, decode) as T) : (rows as T[]);
    },
    async execute(sql: string, params: readonly unknown[]): Promise<number> {
      const { db, gate } = await connection();
      while (gate.open()) await gate.ended();
      return statement(db, sql).run(...encode(params)).changes;
    },
    transaction: (fn) => prismaTransaction((tx) => fn(direct.within(tx))),
    within: (tx) => throughPrisma("sqlite", tx, (sql) => sql, decodeSqliteRow),
  };
  return direct;
}

/**
 * Statements sent through a Prisma transaction's raw queries, with Prisma's own encodings of the values: for code
 * that uses Prisma's models in the same transaction.
 */
function throughPrisma(
  provider: DirectSql["provider"],
  tx: PrismaRawQueries,
  text: (sql: string) => string,
  decodeRow: (row: Record<string, unknown>, decode: RowDecoding) => Record<string, unknown>,
): DirectSql {
  const inside: DirectSql = {
    provider,
    async query<T>(sql: string, params: readonly unknown[], decode?: RowDecoding): Promise<T[]> {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(text(sql), ...params);
      return decode ? rows.map((row) => decodeRow(row, decode) as T) : (rows as T[]);
    },
    execute: (sql, params) => tx.$executeRawUnsafe(text(sql), ...params),
    transaction: (fn) => fn(inside),
    within: (other) => (other === tx ? inside : throughPrisma(provider, other, text, decodeRow)),
  };
  return inside;
}

function decodeSqliteRow(row: Record<string, unknown>, decode: RowDecoding): Record<string, unknown> {
  for (const column of decode.dates ?? []) {
    const v = row[column];
    if (v !== null && v !== undefined && !(v instanceof Date)) row[column] = sqliteDate(v);
  }
  for (const column of decode.booleans ?? []) {
    const v = row[column];
    if (v !== null && v !== undefined) row[column] = v === 1 || v === 1n || v === true || v === "1" || v === "true";
  }
  return row;
}

/** A stored SQLite date: ISO text (Prisma's), "YYYY-MM-DD HH:MM:SS" (CURRENT_TIMESTAMP, UTC) or epoch milliseconds. */
export function sqliteDate(v: unknown): Date {
  if (typeof v === "number" || typeof v === "bigint") return new Date(Number(v));
  const text = String(v);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

/** PostgreSQL: `timestamp(3)` columns hold UTC without a zone, as Prisma writes them. */
const TIMESTAMP = 1114;
const pgTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP && format !== "binary" ? (v: string) => new Date(`${v.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format),
};

export function postgresDirect(pool: () => Promise<Pool>): DirectSql {
  const numbered = new LruCache<string, string>(200);
  const toPg = (sql: string) => {
    let text = numbered.get(sql);
    if (!text) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      numbered.set(sql, text);
    }
    return text;
  };
  const encode = (params: readonly unknown[]) =>
    params.map((p) => (p instanceof Date ? p.toISOString().replace("T", " ").replace("Z", "") : p));
  // `held`: the pool client of an open transaction, which a nested `transaction` joins.
  const on = (client: () => Promise<Pool | PoolClient>, held?: PoolClient): DirectSql => {
    const run = async (sql: string, params: readonly unknown[]) =>
      (await client()).query({ text: toPg(sql), values: encode(params) as unknown[], types: pgTypes } as QueryConfig);
    const statements: DirectSql = {
      provider: "postgres",
      async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
        return (await run(sql, params)).rows as T[];
      },
      async execute(sql: string, params: readonly unknown[]): Promise<number> {
        return (await run(sql, params)).rowCount ?? 0;
      },
      transaction: (fn) => (held ? fn(statements) : transactionOn(pool, (own) => fn(on(async () => own, own)))),
      within: (tx) => throughPrisma("postgres", tx, toPg, (row) => row),
    };
    return statements;
  };
  return on(pool);
}

/** BEGIN, `fn`, COMMIT on one pool client; ROLLBACK when `fn` throws. A client whose ROLLBACK failed is not reused. */
async function transactionOn<T>(pool: () => Promise<Pool>, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await (await pool()).connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
