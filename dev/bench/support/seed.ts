/**
 * A ledger of N payments for the scale benchmark, built with raw multi-row INSERTs in large transactions:
 * per payment its status timeline, and for paid ones the payment_intent.succeeded event (a full pretty-printed
 * Stripe payload, as stored by the webhook), the applied credit and the Navixy call that applied it.
 * 93% succeeded, 6% abandoned, 1% refunded (with a charge.refunded event and an applied debit). createdAt
 * spreads evenly over the three years before the seed; 1% of payments belong to one heavy user (10001),
 * the rest to 5,000 users. Secondary indexes are dropped while loading and recreated after.
 *
 * SQLite: dev/bench/results/ledger-<N>.db (journal off, synchronous off, exclusive lock for the seed only; WAL
 * after). PostgreSQL: database bench_ledger_<N> on DATABASE_URL's server (ANALYZEd afterwards, as
 * autovacuum would). No sqlite_stat1 is written: a gateway's SQLite file never gets one.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { parseDatabaseUrl, postgresPoolConfig } from "../../../lib/db/url";
import { newId } from "../../../lib/ids";
import { RESULTS, log } from "./env";
import { freshPostgresDatabase, freshSqliteDatabase, withDatabase } from "../../testing/app-process";

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function rand(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export const HEAVY_USER = 10001;
/** No seeded payment belongs to this user. */
export const NO_PAYMENTS_USER = 99_999;
const YEAR = 365 * 86_400_000;

/** Bumped when seeded rows change shape (2: time-ordered ids, as lib/ids.ts makes them); an older seed is rebuilt. */
const SEED_FORMAT = 2;

export interface SeedInfo {
  format: number;
  payments: number;
  /** Every seeded row is older than this: rows a benchmark run adds are newer, and removed before the next. */
  seedEnd: string;
  seconds: number;
  rows: Record<string, number>;
}

type Value = string | number | null | boolean | Date;
interface Table {
  name: string;
  columns: string[];
  rows: Value[][];
}

function eventPayload(evtId: string, pi: string, paymentId: string, userId: number, amount: number, created: number, type: string): string {
  const object =
    type === "payment_intent.succeeded"
      ? {
          id: pi,
          object: "payment_intent",
          allowed_payment_method_types: null,
          amount,
          amount_capturable: 0,
          amount_details: { tip: {} },
          amount_received: amount,
          application: null,
          application_fee_amount: null,
          automatic_payment_methods: { allow_redirects: "always", enabled: true },
          canceled_at: null,
          cancellation_reason: null,
          capture_method: "automatic",
          client_secret: `${pi}_secret_${rand(ALNUM, 25)}`,
          confirmation_method: "automatic",
          created,
          currency: "eur",
          customer: null,
          customer_account: null,
          description: `Navixy balance top-up for user ${userId}`,
          excluded_payment_method_types: null,
          last_payment_error: null,
          latest_charge: `ch_${rand(ALNUM, 24)}`,
          livemode: false,
          managed_payments: null,
          metadata: { navixy_user_id: String(userId), payment_id: paymentId },
          next_action: null,
          on_behalf_of: null,
          payment_method: `pm_${rand(ALNUM, 24)}`,
          payment_method_configuration_details: null,
          payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
          payment_method_types: ["card"],
          payment_record: null,
          processing: null,
          receipt_email: null,
          review: null,
          setup_future_usage: null,
          shipping: null,
          source: null,
          statement_descriptor: null,
          statement_descriptor_suffix: null,
          status: "succeeded",
          transfer_data: null,
          transfer_group: null,
        }
      : { id: `ch_${rand(ALNUM, 24)}`, object: "charge", amount, amount_refunded: amount, currency: "eur", payment_intent: pi, refunded: true, status: "succeeded" };
  return JSON.stringify(
    { id: evtId, object: "event", api_version: "2026-10-28.endive", created: created + 60, data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type },
    null,
    2,
  );
}

const PAYMENT_COLS = ["id", "navixyUserId", "amount", "currency", "status", "captureMethod", "stripePaymentIntentId", "livemode", "amountReceived", "amountCapturable", "amountRefunded", "createdAt", "updatedAt", "succeededAt", "canceledAt", "lastSyncedAt"];
const CHANGE_COLS = ["paymentId", "fromStatus", "toStatus", "source", "at"];
const EVENT_COLS = ["id", "type", "objectId", "paymentId", "livemode", "payload", "status", "attempts", "nextAttemptAt", "version", "stripeCreatedAt", "receivedAt", "processedAt"];
const MOVEMENT_COLS = ["id", "paymentId", "kind", "navixyUserId", "amount", "currency", "navixyAmount", "reference", "text", "idempotencyKey", "state", "attempts", "nextAttemptAt", "version", "needsAttention", "createdAt", "updatedAt", "appliedAt"];
const CALL_COLS = ["movementId", "method", "outcome", "startedAt", "durationMs"];

/** The rows of payments [from, to) of n. */
function generate(from: number, to: number, n: number, seedEnd: number): Table[] {
  const payments: Value[][] = [];
  const changes: Value[][] = [];
  const events: Value[][] = [];
  const movements: Value[][] = [];
  const calls: Value[][] = [];
  const span = 3 * YEAR;
  const amounts = [1000, 2500, 5000, 10000, 20000];
  for (let i = from; i < to; i++) {
    // The newest event of a payment (a refund) comes 7 days after it: everything stays older than seedEnd.
    const t = seedEnd - 8 * 86_400_000 - span + Math.floor((i * span) / n);
    const at = (ms: number) => new Date(t + ms);
    const id = newId("pay", t);
    const user = i % 100 === 0 ? HEAVY_USER : 100000 + (randomBytes(2).readUInt16LE() % 5000);
    const amount = amounts[i % amounts.length]!;
    const pi = `pi_${rand(ALNUM, 24)}`;
    const r = (i * 7919) % 100;
    const status = r < 93 ? "succeeded" : r < 99 ? "abandoned" : "refunded";
    const paid = status !== "abandoned";
    payments.push([id, user, amount, "eur", status, "automatic", pi, false, paid ? amount : 0, 0, status === "refunded" ? amount : 0, at(0), at(paid ? 61_000 : 86_400_000), paid ? at(60_000) : null, paid ? null : at(86_400_000), at(paid ? 61_000 : 86_400_000)]);
    changes.push([id, null, "created", "api", at(0)], [id, "created", "awaiting_payment", "api", at(300)]);
    if (!paid) {
      changes.push([id, "awaiting_payment", "abandoned", "sweep", at(86_400_000)]);
      continue;
    }
    const evt = `evt_${rand(ALNUM, 24)}`;
    changes.push([id, "awaiting_payment", "succeeded", `webhook:${evt}`, at(60_000)]);
    const created = Math.floor(t / 1000);
    events.push([evt, "payment_intent.succeeded", pi, id, false, eventPayload(evt, pi, id, user, amount, created, "payment_intent.succeeded"), "processed", 1, at(60_100), 1, at(60_000), at(60_100), at(60_150)]);
    const mv = newId("mv", t + 60_150);
    const major = (amount / 100).toFixed(2);
    movements.push([mv, id, "credit", user, amount, "eur", major, pi, `Balance top-up via Stripe, payment ${pi}`, `credit:${pi}`, "applied", 1, at(60_150), 2, false, at(60_150), at(60_300), at(60_300)]);
    calls.push([mv, "change_balance", "applied", at(60_200), 80]);
    if (status === "refunded") {
      const revt = `evt_${rand(ALNUM, 24)}`;
      const re = `re_${rand(ALNUM, 24)}`;
      changes.push([id, "succeeded", "refunded", `webhook:${revt}`, at(7 * 86_400_000)]);
      events.push([revt, "charge.refunded", `ch_${rand(ALNUM, 24)}`, id, false, eventPayload(revt, pi, id, user, amount, created + 7 * 86_400, "charge.refunded"), "processed", 1, at(7 * 86_400_000 + 100), 1, at(7 * 86_400_000), at(7 * 86_400_000 + 100), at(7 * 86_400_000 + 150)]);
      const dmv = newId("mv", t + 7 * 86_400_000 + 150);
      movements.push([dmv, id, "debit", user, amount, "eur", `-${major}`, re, `Refund via Stripe, refund ${re}`, `debit:${re}`, "applied", 1, at(7 * 86_400_000 + 150), 2, false, at(7 * 86_400_000 + 150), at(7 * 86_400_000 + 300), at(7 * 86_400_000 + 300)]);
      calls.push([dmv, "change_balance", "applied", at(7 * 86_400_000 + 200), 90]);
    }
  }
  return [
    { name: "Payment", columns: PAYMENT_COLS, rows: payments },
    { name: "PaymentStatusChange", columns: CHANGE_COLS, rows: changes },
    { name: "StripeEvent", columns: EVENT_COLS, rows: events },
    { name: "BalanceMovement", columns: MOVEMENT_COLS, rows: movements },
    { name: "NavixyCall", columns: CALL_COLS, rows: calls },
  ];
}

const TABLES = ["Payment", "PaymentStatusChange", "StripeEvent", "BalanceMovement", "NavixyCall"];
const CHUNK = 20_000; // payments per transaction

// ---- SQLite -----------------------------------------------------------------------------------------------

export function sqliteSeedPath(n: number): string {
  return path.join(RESULTS, `ledger-${n}.db`);
}

export function readSqliteSeed(n: number): SeedInfo | null {
  const file = sqliteSeedPath(n);
  try {
    if (!fs.existsSync(file)) return null;
    const info = JSON.parse(fs.readFileSync(`${file}.json`, "utf8")) as SeedInfo;
    return info.format === SEED_FORMAT ? info : null;
  } catch {
    return null;
  }
}

const sqliteDate = (d: Date) => d.toISOString().replace("Z", "+00:00");

export function seedSqlite(n: number): SeedInfo {
  const started = Date.now();
  const file = sqliteSeedPath(n);
  fs.rmSync(`${file}.json`, { force: true });
  freshSqliteDatabase(file);
  const db = new Database(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("cache_size = -1000000");
  db.pragma("temp_store = MEMORY");
  db.pragma("foreign_keys = OFF");
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => "?").join(",")})`)
    .all(...TABLES) as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);

  const statements = new Map<string, Database.Statement>();
  const insert = (t: Table) => {
    const perStatement = Math.max(1, Math.floor(30_000 / t.columns.length));
    for (let i = 0; i < t.rows.length; i += perStatement) {
      const rows = t.rows.slice(i, i + perStatement);
      const key = `${t.name}:${rows.length}`;
      let stmt = statements.get(key);
      if (!stmt) {
        const tuple = `(${t.columns.map(() => "?").join(",")})`;
        stmt = db.prepare(`INSERT INTO "${t.name}" (${t.columns.map((c) => `"${c}"`).join(",")}) VALUES ${Array(rows.length).fill(tuple).join(",")}`);
        statements.set(key, stmt);
      }
      stmt.run(rows.flat().map((v) => (v instanceof Date ? sqliteDate(v) : typeof v === "boolean" ? (v ? 1 : 0) : v)));
    }
  };
  const seedEnd = Date.now();
  const counts: Record<string, number> = {};
  for (let from = 0; from < n; from += CHUNK) {
    const tables = generate(from, Math.min(n, from + CHUNK), n, seedEnd);
    db.transaction(() => tables.forEach(insert))();
    for (const t of tables) counts[t.name] = (counts[t.name] ?? 0) + t.rows.length;
    if ((from / CHUNK) % 10 === 9) log(`seed sqlite: ${from + CHUNK} / ${n} payments`);
  }
  log("seed sqlite: recreating indexes");
  for (const ix of indexes) db.exec(ix.sql);
  db.pragma("locking_mode = NORMAL");
  db.pragma("journal_mode = WAL");
  db.close();
  const info: SeedInfo = { format: SEED_FORMAT, payments: n, seedEnd: new Date(seedEnd).toISOString(), seconds: (Date.now() - started) / 1000, rows: counts };
  fs.writeFileSync(`${file}.json`, JSON.stringify(info, null, 2));
  log(`seed sqlite: ${n} payments in ${info.seconds.toFixed(0)} s (${(fs.statSync(file).size / 1e9).toFixed(2)} GB): ${JSON.stringify(counts)}`);
  return info;
}

// ---- PostgreSQL ---------------------------------------------------------------------------------------------

export const pgSeedDatabase = (n: number) => `bench_ledger_${n}`;

function pgClient(databaseUrl: string): pg.Client {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider !== "postgres") throw new Error("not a PostgreSQL URL");
  return new pg.Client(postgresPoolConfig(target));
}

export async function readPgSeed(databaseUrl: string, n: number): Promise<SeedInfo | null> {
  const client = pgClient(withDatabase(databaseUrl, pgSeedDatabase(n)));
  try {
    await client.connect();
    const r = await client.query(`SELECT info FROM "bench_seed_info" LIMIT 1`);
    const info = r.rows[0]?.info as SeedInfo | undefined;
    return info?.format === SEED_FORMAT ? info : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

const pgDate = (d: Date) => d.toISOString().replace("Z", "");

export async function seedPostgres(databaseUrl: string, n: number): Promise<SeedInfo> {
  const started = Date.now();
  const schema = "public";
  const client = pgClient(await freshPostgresDatabase(databaseUrl, pgSeedDatabase(n)));
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    try {
      await client.query("SET session_replication_role = replica"); // no FK triggers while loading (superuser only)
    } catch {
      /* not a superuser: foreign keys are checked, slower */
    }
    const indexes = (
      await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname NOT LIKE '%\\_pkey'`, [schema])
    ).rows as { indexname: string; indexdef: string }[];
    for (const ix of indexes) await client.query(`DROP INDEX "${schema}"."${ix.indexname}"`);

    const seedEnd = Date.now();
    const counts: Record<string, number> = {};
    for (let from = 0; from < n; from += CHUNK) {
      const tables = generate(from, Math.min(n, from + CHUNK), n, seedEnd);
      await client.query("BEGIN");
      for (const t of tables) {
        const perStatement = Math.min(1000, Math.floor(60_000 / t.columns.length));
        for (let i = 0; i < t.rows.length; i += perStatement) {
          const rows = t.rows.slice(i, i + perStatement);
          let p = 0;
          const tuples = rows.map(() => `(${t.columns.map(() => `$${++p}`).join(",")})`).join(",");
          await client.query(
            `INSERT INTO "${schema}"."${t.name}" (${t.columns.map((c) => `"${c}"`).join(",")}) VALUES ${tuples}`,
            rows.flat().map((v) => (v instanceof Date ? pgDate(v) : v)),
          );
        }
        counts[t.name] = (counts[t.name] ?? 0) + t.rows.length;
      }
      await client.query("COMMIT");
      if ((from / CHUNK) % 10 === 9) log(`seed postgres: ${from + CHUNK} / ${n} payments`);
    }
    log("seed postgres: recreating indexes, ANALYZE");
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const ix of indexes) await client.query(ix.indexdef);
    await client.query(`ANALYZE`);
    const info: SeedInfo = { format: SEED_FORMAT, payments: n, seedEnd: new Date(seedEnd).toISOString(), seconds: (Date.now() - started) / 1000, rows: counts };
    await client.query(`CREATE TABLE "bench_seed_info" (info jsonb)`);
    await client.query(`INSERT INTO "bench_seed_info" VALUES ($1)`, [JSON.stringify(info)]);
    log(`seed postgres: ${n} payments in ${info.seconds.toFixed(0)} s: ${JSON.stringify(counts)}`);
    return info;
  } finally {
    await client.end();
  }
}
