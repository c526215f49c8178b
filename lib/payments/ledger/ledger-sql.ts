// The ledger's busiest statements as plain SQL. Each runs once or more for every credited event (a claim, its release,
// the lease's fence, a Navixy call's record, a payment's move and its credit), and through Prisma's query compiler
// each cost more CPU than the statement itself (docs/benchmarks.md); a write Prisma wraps in BEGIN/COMMIT is one
// round trip here. They go to the driver (lib/db/direct.ts), alone or in a transaction of its own (the sync's, on
// PostgreSQL), or through a Prisma transaction's raw queries where its models are used too (DirectSql.within).
// Either way the dealer scope (lib/db/dealer-scope.ts) does not apply,
// so every statement names its dealer itself; column names come only from the fixed lists below. Works on SQLite and
// PostgreSQL alike (quoted identifiers, RETURNING); dates are always bound, never left to a column default.
import type { DirectSql, RowDecoding } from "../../db/direct";
import type { BalanceMovement, Payment, StripeEvent } from "../../db/generated/sqlite/client";

/** A row as a worker holds it: the WHERE that matches it only while the claim holds. */
export interface Held {
  id: string;
  leaseOwner: string;
  version: number;
}

/** `column + n` in a SET. */
export interface Increment {
  increment: number;
}

const EVENT_COLUMNS = new Set<keyof StripeEvent>(["status", "paymentId", "lastError", "processedAt", "nextAttemptAt", "leaseOwner", "leaseUntil", "version", "attempts"]);
const MOVEMENT_COLUMNS = new Set<keyof BalanceMovement>([
  "state",
  "nextAttemptAt",
  "leaseOwner",
  "leaseUntil",
  "version",
  "attempts",
  "needsAttention",
  "lastError",
  "lastErrorCode",
  "appliedAt",
  "amount",
  "navixyAmount",
]);
const PAYMENT_COLUMNS = new Set<keyof Payment>([
  "status",
  "stripePaymentIntentId",
  "livemode",
  "amountReceived",
  "amountCapturable",
  "amountRefunded",
  "failureCode",
  "failureMessage",
  "authorizedAt",
  "succeededAt",
  "failedAt",
  "canceledAt",
  "lastSyncedAt",
  "captureAt",
  "paymentMethodType",
  "cardBrand",
  "cardLast4",
  "cardWallet",
]);

/** A column name this module may write into a statement's text (never a value from outside). */
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

const isIncrement = (v: unknown): v is Increment => typeof v === "object" && v !== null && !(v instanceof Date) && "increment" in v;

/** A SET for the driver's placeholders: its text and its values, in order. */
function directAssignments(allowed: ReadonlySet<string>, set: Record<string, unknown>): { text: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    if (!allowed.has(k) || !COLUMN_NAME.test(k)) throw new Error(`ledger-sql: ${k} is not a column this module writes`);
    if (isIncrement(v)) {
      parts.push(`"${k}" = "${k}" + ?`);
      values.push(v.increment);
    } else {
      parts.push(`"${k}" = ?`);
      values.push(v);
    }
  }
  if (parts.length === 0) throw new Error("ledger-sql: nothing to set");
  return { text: parts.join(", "), values };
}

const PAYMENT_ROW: RowDecoding = {
  dates: ["createdAt", "updatedAt", "authorizedAt", "succeededAt", "failedAt", "canceledAt", "lastSyncedAt", "captureAt"],
  booleans: ["livemode"],
};
const EVENT_ROW: RowDecoding = { dates: ["nextAttemptAt", "leaseUntil", "stripeCreatedAt", "receivedAt", "processedAt"], booleans: ["livemode"] };
const MOVEMENT_ROW: RowDecoding = { dates: ["nextAttemptAt", "leaseUntil", "createdAt", "updatedAt", "appliedAt"], booleans: ["needsAttention"] };

// ---- the worker's due rows

/** Whose due rows: one dealer's only, or every dealer's but the excluded ones. */
export interface DueDealers {
  only?: string;
  exclude: readonly string[];
}

/** The condition on "dealerId" for `dealers`: one text whatever the number of excluded dealers (one array value). */
function dueDealers(sql: DirectSql, dealers: DueDealers): { text: string; values: unknown[] } {
  if (dealers.only !== undefined) {
    return dealers.exclude.includes(dealers.only) ? { text: ` AND 1 = 0`, values: [] } : { text: ` AND "dealerId" = ?`, values: [dealers.only] };
  }
  if (dealers.exclude.length === 0) return { text: "", values: [] };
  return sql.provider === "postgres"
    ? { text: ` AND "dealerId" <> ALL(?::text[])`, values: [[...dealers.exclude]] }
    : { text: ` AND "dealerId" NOT IN (SELECT "value" FROM json_each(?))`, values: [JSON.stringify(dealers.exclude)] };
}

/** Stored events to work: received and due, or processing with the lease run out (its worker died); oldest due first. */
export async function dueEvents(sql: DirectSql, now: Date, limit: number, dealers: DueDealers): Promise<{ id: string; dealerId: string; version: number }[]> {
  const scope = dueDealers(sql, dealers);
  return sql.query(
    `SELECT "id", "dealerId", "version" FROM "StripeEvent"
     WHERE (("status" = 'received' AND "nextAttemptAt" <= ?) OR ("status" = 'processing' AND "leaseUntil" < ?))${scope.text}
     ORDER BY "nextAttemptAt" ASC LIMIT ?`,
    [now, now, ...scope.values, limit],
  );
}

/** Movements owed to Navixy: pending or unknown and due, or sending with the lease run out; oldest due first. */
export async function dueMovements(
  sql: DirectSql,
  now: Date,
  limit: number,
  dealers: DueDealers,
): Promise<{ id: string; dealerId: string; version: number; state: string }[]> {
  const scope = dueDealers(sql, dealers);
  return sql.query(
    `SELECT "id", "dealerId", "version", "state" FROM "BalanceMovement"
     WHERE (("state" IN ('pending', 'unknown') AND "nextAttemptAt" <= ?) OR ("state" = 'sending' AND "leaseUntil" < ?))${scope.text}
     ORDER BY "nextAttemptAt" ASC LIMIT ?`,
    [now, now, ...scope.values, limit],
  );
}

// ---- stored Stripe events

/**
 * Claims an event: the one at `version` (as read or as written), or, without one, if it is due (received, its time
 * come). Returns the row as claimed, or null when another worker had it first or it is not due.
 */
export async function claimEvent(
  sql: DirectSql,
  dealerId: string,
  id: string,
  at: { version: number } | { dueBy: Date },
  claim: { owner: string; leaseUntil: Date },
): Promise<StripeEvent | null> {
  const [condition, value] = "version" in at ? [`"version" = ?`, at.version] : [`"status" = 'received' AND "nextAttemptAt" <= ?`, at.dueBy];
  const rows = await sql.query<StripeEvent>(
    `UPDATE "StripeEvent"
     SET "status" = 'processing', "version" = "version" + 1, "leaseOwner" = ?, "leaseUntil" = ?, "attempts" = "attempts" + 1
     WHERE "dealerId" = ? AND "id" = ? AND ${condition}
     RETURNING *`,
    [claim.owner, claim.leaseUntil, dealerId, id, value],
    EVENT_ROW,
  );
  return rows[0] ?? null;
}

/** Writes a held event (release, outcome, lease); 0 when the claim no longer holds. `status` narrows the match. */
export function updateHeldEvent(sql: DirectSql, dealerId: string, held: Held, set: Record<string, unknown>, status?: string): Promise<number> {
  const { text, values } = directAssignments(EVENT_COLUMNS, set);
  return sql.execute(
    `UPDATE "StripeEvent" SET ${text}
     WHERE "dealerId" = ? AND "id" = ? AND "leaseOwner" = ? AND "version" = ?${status === undefined ? "" : ` AND "status" = ?`}`,
    [...values, dealerId, held.id, held.leaseOwner, held.version, ...(status === undefined ? [] : [status])],
  );
}

// ---- balance movements

/**
 * Claims a movement at `version` if it is due now: pending or unknown with its time come, or "sending" with its
 * lease run out (a worker died during it). Returns the row as claimed, or null.
 */
export async function claimMovement(
  sql: DirectSql,
  dealerId: string,
  id: string,
  version: number,
  claim: { owner: string; leaseUntil: Date; now: Date },
): Promise<BalanceMovement | null> {
  const rows = await sql.query<BalanceMovement>(
    `UPDATE "BalanceMovement"
     SET "state" = 'sending', "version" = "version" + 1, "leaseOwner" = ?, "leaseUntil" = ?, "attempts" = "attempts" + 1, "updatedAt" = ?
     WHERE "dealerId" = ? AND "id" = ? AND "version" = ?
       AND (("state" IN ('pending', 'unknown') AND "nextAttemptAt" <= ?) OR ("state" = 'sending' AND "leaseUntil" < ?))
     RETURNING *`,
    [claim.owner, claim.leaseUntil, claim.now, dealerId, id, version, claim.now, claim.now],
    MOVEMENT_ROW,
  );
  return rows[0] ?? null;
}

/** Writes a held movement; 0 when the claim no longer holds. `state` narrows the match. */
export function updateHeldMovement(sql: DirectSql, dealerId: string, held: Held, set: Record<string, unknown>, state?: string): Promise<number> {
  const { text, values } = directAssignments(MOVEMENT_COLUMNS, set);
  return sql.execute(
    `UPDATE "BalanceMovement" SET ${text}, "updatedAt" = ?
     WHERE "dealerId" = ? AND "id" = ? AND "leaseOwner" = ? AND "version" = ?${state === undefined ? "" : ` AND "state" = ?`}`,
    [...values, new Date(), dealerId, held.id, held.leaseOwner, held.version, ...(state === undefined ? [] : [state])],
  );
}

export interface NewCredit {
  id: string;
  dealerId: string;
  paymentId: string;
  navixyUserId: number;
  amount: number;
  currency: string;
  navixyAmount: string;
  reference: string;
  text: string;
  idempotencyKey: string;
}

/**
 * Records a credit owed, once: nothing happens when its idempotency key exists (another sync recorded it). Returns
 * whether this call inserted it. An INSERT that does nothing on conflict keeps a PostgreSQL transaction usable, which
 * a unique violation would abort.
 */
export async function insertCreditOnce(sql: DirectSql, credit: NewCredit, now = new Date()): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    `INSERT INTO "BalanceMovement" ("id", "dealerId", "paymentId", "kind", "navixyUserId", "amount", "currency", "navixyAmount",
      "reference", "text", "idempotencyKey", "state", "attempts", "nextAttemptAt", "version", "needsAttention", "createdAt", "updatedAt")
     VALUES (?, ?, ?, 'credit', ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?, ?)
     ON CONFLICT ("idempotencyKey") DO NOTHING
     RETURNING "id"`,
    [credit.id, credit.dealerId, credit.paymentId, credit.navixyUserId, credit.amount, credit.currency, credit.navixyAmount, credit.reference, credit.text, credit.idempotencyKey, now, false, now, now],
  );
  return rows.length > 0;
}

// ---- Navixy calls

export interface NavixyCallRow {
  dealerId: string;
  movementId: string;
  method: string;
  outcome: string;
  errorCode: number | null;
  detail: string | null;
  startedAt: Date;
  durationMs: number;
  inFlightUntil: Date | null;
}

/** Records a call to Navixy; returns its id. */
export async function insertNavixyCall(sql: DirectSql, call: NavixyCallRow): Promise<number> {
  const rows = await sql.query<{ id: number }>(
    `INSERT INTO "NavixyCall" ("dealerId", "movementId", "method", "outcome", "errorCode", "detail", "startedAt", "durationMs", "inFlightUntil")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING "id"`,
    [call.dealerId, call.movementId, call.method, call.outcome, call.errorCode, call.detail, call.startedAt, call.durationMs, call.inFlightUntil],
  );
  return Number(rows[0]!.id);
}

/** How a recorded call ended. */
export async function endNavixyCall(
  sql: DirectSql,
  dealerId: string,
  id: number,
  end: { outcome: string; errorCode: number | null; detail: string | null; durationMs: number; inFlightUntil?: Date | null },
): Promise<void> {
  const flight = end.inFlightUntil === undefined ? [] : [end.inFlightUntil];
  await sql.execute(
    `UPDATE "NavixyCall" SET "outcome" = ?, "errorCode" = ?, "detail" = ?, "durationMs" = ?${end.inFlightUntil === undefined ? "" : `, "inFlightUntil" = ?`}
     WHERE "dealerId" = ? AND "id" = ?`,
    [end.outcome, end.errorCode, end.detail, end.durationMs, ...flight, dealerId, id],
  );
}

// ---- payments

/** Updates a payment if it is still in `status` (when given); returns it as stored afterwards, or null. */
export async function updatePayment(
  sql: DirectSql,
  dealerId: string,
  id: string,
  set: Record<string, unknown>,
  status?: string,
  now = new Date(),
): Promise<Payment | null> {
  const { text, values } = directAssignments(PAYMENT_COLUMNS, set);
  const rows = await sql.query<Payment>(
    `UPDATE "Payment" SET ${text}, "updatedAt" = ?
     WHERE "dealerId" = ? AND "id" = ?${status === undefined ? "" : ` AND "status" = ?`}
     RETURNING *`,
    [...values, now, dealerId, id, ...(status === undefined ? [] : [status])],
    PAYMENT_ROW,
  );
  return rows[0] ?? null;
}

/** One line of a payment's timeline. */
export async function insertStatusChange(
  sql: DirectSql,
  change: { dealerId: string; paymentId: string; fromStatus: string | null; toStatus: string; source: string },
  at = new Date(),
): Promise<void> {
  await sql.execute(
    `INSERT INTO "PaymentStatusChange" ("dealerId", "paymentId", "fromStatus", "toStatus", "source", "at") VALUES (?, ?, ?, ?, ?, ?)`,
    [change.dealerId, change.paymentId, change.fromStatus, change.toStatus, change.source, at],
  );
}

/** A payment by its PaymentIntent, of one dealer. */
export async function paymentByIntent(sql: DirectSql, dealerId: string, paymentIntentId: string): Promise<Payment | null> {
  const rows = await sql.query<Payment>(`SELECT * FROM "Payment" WHERE "stripePaymentIntentId" = ? AND "dealerId" = ?`, [paymentIntentId, dealerId], PAYMENT_ROW);
  return rows[0] ?? null;
}

/** A payment by its id, of one dealer. */
export async function paymentById(sql: DirectSql, dealerId: string, id: string): Promise<Payment | null> {
  const rows = await sql.query<Payment>(`SELECT * FROM "Payment" WHERE "dealerId" = ? AND "id" = ?`, [dealerId, id], PAYMENT_ROW);
  return rows[0] ?? null;
}
