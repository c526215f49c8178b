// The ledger's busiest statements as plain SQL. Each runs once or more for every credited event (a claim, its release,
// the lease's fence, a Navixy call's record, a payment's move and its credit), and through Prisma's query compiler
// each cost more CPU than the statement itself (docs/benchmarks.md); a write Prisma wraps in BEGIN/COMMIT is one
// round trip here. Raw SQL bypasses the dealer scope (lib/db/dealer-scope.ts), so every statement names its dealer
// itself; column names come only from the fixed lists below. Works on SQLite and PostgreSQL alike (quoted
// identifiers, RETURNING); dates are always bound, never left to a column default.
import { Prisma, type Db, type Tx } from "../../db/client";
import type { BalanceMovement, Payment, StripeEvent } from "../../db/generated/sqlite/client";

/** The client or a transaction: anything that runs raw SQL. */
type Sql = Pick<Db, "$queryRaw" | "$executeRaw"> | Pick<Tx, "$queryRaw" | "$executeRaw">;

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
]);

function ident(name: string): Prisma.Sql {
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`ledger-sql: not a column name: ${name}`);
  return Prisma.raw(`"${name}"`);
}

const isIncrement = (v: unknown): v is Increment => typeof v === "object" && v !== null && !(v instanceof Date) && "increment" in v;

function assignments(allowed: ReadonlySet<string>, set: Record<string, unknown>): Prisma.Sql {
  const parts = Object.entries(set)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      if (!allowed.has(k)) throw new Error(`ledger-sql: ${k} is not a column this module writes`);
      return isIncrement(v) ? Prisma.sql`${ident(k)} = ${ident(k)} + ${v.increment}` : Prisma.sql`${ident(k)} = ${v}`;
    });
  if (parts.length === 0) throw new Error("ledger-sql: nothing to set");
  return Prisma.join(parts, ", ");
}

// ---- stored Stripe events

/**
 * Claims an event: the one at `version` (as read or as written), or, without one, if it is due (received, its time
 * come). Returns the row as claimed, or null when another worker had it first or it is not due.
 */
export async function claimEvent(
  db: Sql,
  dealerId: string,
  id: string,
  at: { version: number } | { dueBy: Date },
  claim: { owner: string; leaseUntil: Date },
): Promise<StripeEvent | null> {
  const condition =
    "version" in at ? Prisma.sql`"version" = ${at.version}` : Prisma.sql`"status" = 'received' AND "nextAttemptAt" <= ${at.dueBy}`;
  const rows = await db.$queryRaw<StripeEvent[]>`
    UPDATE "StripeEvent"
    SET "status" = 'processing', "version" = "version" + 1, "leaseOwner" = ${claim.owner}, "leaseUntil" = ${claim.leaseUntil},
      "attempts" = "attempts" + 1
    WHERE "dealerId" = ${dealerId} AND "id" = ${id} AND ${condition}
    RETURNING *`;
  return rows[0] ?? null;
}

/** Writes a held event (release, outcome, lease); 0 when the claim no longer holds. `status` narrows the match. */
export function updateHeldEvent(db: Sql, dealerId: string, held: Held, set: Record<string, unknown>, status?: string): Promise<number> {
  return db.$executeRaw`
    UPDATE "StripeEvent" SET ${assignments(EVENT_COLUMNS, set)}
    WHERE "dealerId" = ${dealerId} AND "id" = ${held.id} AND "leaseOwner" = ${held.leaseOwner} AND "version" = ${held.version}
      ${status === undefined ? Prisma.empty : Prisma.sql`AND "status" = ${status}`}`;
}

// ---- balance movements

/**
 * Claims a movement at `version` if it is due now: pending or unknown with its time come, or "sending" with its
 * lease run out (a worker died during it). Returns the row as claimed, or null.
 */
export async function claimMovement(
  db: Sql,
  dealerId: string,
  id: string,
  version: number,
  claim: { owner: string; leaseUntil: Date; now: Date },
): Promise<BalanceMovement | null> {
  const rows = await db.$queryRaw<BalanceMovement[]>`
    UPDATE "BalanceMovement"
    SET "state" = 'sending', "version" = "version" + 1, "leaseOwner" = ${claim.owner}, "leaseUntil" = ${claim.leaseUntil},
      "attempts" = "attempts" + 1, "updatedAt" = ${claim.now}
    WHERE "dealerId" = ${dealerId} AND "id" = ${id} AND "version" = ${version}
      AND (("state" IN ('pending', 'unknown') AND "nextAttemptAt" <= ${claim.now}) OR ("state" = 'sending' AND "leaseUntil" < ${claim.now}))
    RETURNING *`;
  return rows[0] ?? null;
}

/** Writes a held movement; 0 when the claim no longer holds. `state` narrows the match. */
export function updateHeldMovement(db: Sql, dealerId: string, held: Held, set: Record<string, unknown>, state?: string): Promise<number> {
  return db.$executeRaw`
    UPDATE "BalanceMovement" SET ${assignments(MOVEMENT_COLUMNS, set)}, "updatedAt" = ${new Date()}
    WHERE "dealerId" = ${dealerId} AND "id" = ${held.id} AND "leaseOwner" = ${held.leaseOwner} AND "version" = ${held.version}
      ${state === undefined ? Prisma.empty : Prisma.sql`AND "state" = ${state}`}`;
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
export async function insertCreditOnce(db: Sql, credit: NewCredit, now = new Date()): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "BalanceMovement" ("id", "dealerId", "paymentId", "kind", "navixyUserId", "amount", "currency", "navixyAmount",
      "reference", "text", "idempotencyKey", "state", "attempts", "nextAttemptAt", "version", "needsAttention", "createdAt", "updatedAt")
    VALUES (${credit.id}, ${credit.dealerId}, ${credit.paymentId}, 'credit', ${credit.navixyUserId}, ${credit.amount}, ${credit.currency},
      ${credit.navixyAmount}, ${credit.reference}, ${credit.text}, ${credit.idempotencyKey}, 'pending', 0, ${now}, 0, ${false}, ${now}, ${now})
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING "id"`;
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
export async function insertNavixyCall(db: Sql, call: NavixyCallRow): Promise<number> {
  const rows = await db.$queryRaw<{ id: number | bigint }[]>`
    INSERT INTO "NavixyCall" ("dealerId", "movementId", "method", "outcome", "errorCode", "detail", "startedAt", "durationMs", "inFlightUntil")
    VALUES (${call.dealerId}, ${call.movementId}, ${call.method}, ${call.outcome}, ${call.errorCode}, ${call.detail}, ${call.startedAt},
      ${call.durationMs}, ${call.inFlightUntil})
    RETURNING "id"`;
  return Number(rows[0]!.id);
}

/** How a recorded call ended. */
export async function endNavixyCall(
  db: Sql,
  dealerId: string,
  id: number,
  end: { outcome: string; errorCode: number | null; detail: string | null; durationMs: number; inFlightUntil?: Date | null },
): Promise<void> {
  await db.$executeRaw`
    UPDATE "NavixyCall" SET "outcome" = ${end.outcome}, "errorCode" = ${end.errorCode}, "detail" = ${end.detail},
      "durationMs" = ${end.durationMs}
      ${end.inFlightUntil === undefined ? Prisma.empty : Prisma.sql`, "inFlightUntil" = ${end.inFlightUntil}`}
    WHERE "dealerId" = ${dealerId} AND "id" = ${id}`;
}

// ---- payments

/** Updates a payment if it is still in `status` (when given); returns it as stored afterwards, or null. */
export async function updatePayment(
  db: Sql,
  dealerId: string,
  id: string,
  set: Record<string, unknown>,
  status?: string,
  now = new Date(),
): Promise<Payment | null> {
  const rows = await db.$queryRaw<Payment[]>`
    UPDATE "Payment" SET ${assignments(PAYMENT_COLUMNS, set)}, "updatedAt" = ${now}
    WHERE "dealerId" = ${dealerId} AND "id" = ${id} ${status === undefined ? Prisma.empty : Prisma.sql`AND "status" = ${status}`}
    RETURNING *`;
  return rows[0] ?? null;
}

/** One line of a payment's timeline. */
export async function insertStatusChange(
  db: Sql,
  change: { dealerId: string; paymentId: string; fromStatus: string | null; toStatus: string; source: string },
  at = new Date(),
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "PaymentStatusChange" ("dealerId", "paymentId", "fromStatus", "toStatus", "source", "at")
    VALUES (${change.dealerId}, ${change.paymentId}, ${change.fromStatus}, ${change.toStatus}, ${change.source}, ${at})`;
}

/** A payment by its PaymentIntent, of one dealer. */
export async function paymentByIntent(db: Sql, dealerId: string, paymentIntentId: string): Promise<Payment | null> {
  const rows = await db.$queryRaw<Payment[]>`
    SELECT * FROM "Payment" WHERE "stripePaymentIntentId" = ${paymentIntentId} AND "dealerId" = ${dealerId}`;
  return rows[0] ?? null;
}
