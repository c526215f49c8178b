// Plain SQL sent straight to the driver under Prisma: its one SQLite connection (better-sqlite3, statements kept
// prepared) or its PostgreSQL pool. For the few statements every credited event makes outside a transaction (storing
// a webhook's event, a worker's claims, releases and Navixy call records), Prisma's request pipeline and query
// compiler cost several times the statement itself (docs/benchmarks.md). Same connection, same encodings as Prisma's
// adapters use (dates as ISO text with "+00:00" on SQLite, UTC timestamps on PostgreSQL), so rows written either way
// compare and read alike. Nothing here knows the ledger: callers write their SQL with `?` placeholders and say which
// columns of a row are dates and booleans.
import pg, { type Pool, type QueryConfig } from "pg";
import { LruCache } from "../lru";

export interface DirectSql {
  readonly provider: "sqlite" | "postgres";
  /** Rows as objects; the columns named in `decode` are turned into Date or boolean. */
  query<T>(sql: string, params: readonly unknown[], decode?: RowDecoding): Promise<T[]>;
  /** Rows changed. */
  execute(sql: string, params: readonly unknown[]): Promise<number>;
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

/** SQLite: a statement outside a transaction runs only while none is open (checked right before it runs). */
export function sqliteDirect(connection: () => Promise<{ db: SqliteConnection; gate: TransactionGate }>): DirectSql {
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
  return {
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
  };
}

function decodeSqliteRow(row: Record<string, unknown>, decode: RowDecoding): Record<string, unknown> {
  for (const column of decode.dates ?? []) {
    const v = row[column];
    if (v !== null && v !== undefined) row[column] = sqliteDate(v);
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
  const run = async (sql: string, params: readonly unknown[]) =>
    (await pool()).query({ text: toPg(sql), values: encode(params) as unknown[], types: pgTypes } as QueryConfig);
  return {
    provider: "postgres",
    async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      return (await run(sql, params)).rows as T[];
    },
    async execute(sql: string, params: readonly unknown[]): Promise<number> {
      return (await run(sql, params)).rowCount ?? 0;
    },
  };
}
