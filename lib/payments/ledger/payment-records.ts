// Writes to the payments ledger. Every status change goes through movePayment, which refuses to move a
// payment backwards and records the change on the payment's timeline.
import { transaction, type Db } from "../../db/client";
import type { Payment } from "../../db/generated/sqlite/client";
import { canMovePayment, type PaymentStatus } from "./states";
import type { DirectSql } from "../../db/direct";
import { insertStatusChange, paymentById, updatePayment } from "./ledger-sql";

export type { Payment };

type PaymentFields = Partial<
  Pick<
    Payment,
    | "stripePaymentIntentId"
    | "livemode"
    | "amountReceived"
    | "amountCapturable"
    | "failureCode"
    | "failureMessage"
    | "authorizedAt"
    | "succeededAt"
    | "failedAt"
    | "canceledAt"
    | "lastSyncedAt"
    | "captureAt"
    | "paymentMethodType"
    | "cardBrand"
    | "cardLast4"
    | "cardWallet"
  >
>;

/**
 * Moves a payment to `to` if its state machine allows it, with `fields` written in the same update.
 * Returns the payment as stored afterwards and whether the status changed. `sql` is in a transaction: the move and
 * its line on the timeline are written together (DirectSql.transaction, or .within a Prisma transaction).
 */
export async function movePayment(
  sql: DirectSql,
  payment: Payment,
  to: PaymentStatus,
  source: string,
  fields: PaymentFields = {},
): Promise<{ payment: Payment; moved: boolean }> {
  const from = payment.status as PaymentStatus;
  if (!canMovePayment(from, to)) {
    return { payment, moved: false };
  }
  const now = new Date();
  const stamps: PaymentFields = {};
  if (to === "authorized") stamps.authorizedAt = now;
  if (to === "succeeded") stamps.succeededAt = now;
  if (to === "failed") stamps.failedAt = now;
  if (to === "canceled" || to === "abandoned") stamps.canceledAt = now;
  // The status in the WHERE makes the move conditional: a concurrent writer that moved it first wins. One
  // UPDATE ... RETURNING and one INSERT (ledger-sql.ts): this runs for every payment that moves.
  const moved = await updatePayment(sql, payment.dealerId, payment.id, { ...stamps, ...fields, status: to }, from, now);
  if (!moved) {
    const current = await paymentById(sql, payment.dealerId, payment.id);
    if (!current) throw new Error(`movePayment: payment ${payment.id} of dealer ${payment.dealerId} is gone`);
    return { payment: current, moved: false };
  }
  await insertStatusChange(sql, { dealerId: payment.dealerId, paymentId: payment.id, fromStatus: from, toStatus: to, source }, now);
  return { payment: moved, moved: true };
}

export async function createPaymentRecord(
  db: Db,
  data: {
    id: string;
    navixyUserId: number;
    amount: number;
    currency: string;
    captureMethod: "automatic" | "manual";
    livemode: boolean;
    payerName?: string | null;
    payerLogin?: string | null;
  },
): Promise<Payment> {
  return transaction(db, async (tx) => {
    const payment = await tx.payment.create({ data: { ...data, status: "created" } });
    await tx.paymentStatusChange.create({ data: { paymentId: data.id, fromStatus: null, toStatus: "created", source: "api" } });
    return payment;
  });
}
