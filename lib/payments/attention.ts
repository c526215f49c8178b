// What needs a person: movements that failed or keep failing, refunds that failed at Stripe after they
// were recorded (the payer got nothing back), payments refused for being in another currency than the
// ledger's, authorizations waiting for capture, and authorizations close to the 7 days after which Stripe
// voids them. Shown by `npm run payments -- attention` and the dealer console.
import type { Services } from "../server/services";
import { isRefundReversal } from "./ledger/movement-keys";
import { REFUND_FAILED_NOTE } from "./refunds";
import { CURRENCY_MISMATCH } from "./sync-payment-intent";

const AUTHORIZATION_LIFETIME_MS = 7 * 86_400_000;
const EXPIRY_WARNING_MS = 86_400_000;

export interface AttentionItem {
  kind:
    | "movement_failed"
    | "movement_unknown"
    | "movement_stuck"
    | "refund_failed"
    | "currency_mismatch"
    | "authorization_waiting"
    | "authorization_expiring";
  paymentId: string;
  movementId?: string;
  amount: number;
  currency: string;
  reason: string;
  action: string;
}

export async function needsAttention(services: Pick<Services, "db">, now = new Date()): Promise<AttentionItem[]> {
  const { db } = services;
  const items: AttentionItem[] = [];
  const movements = await db.balanceMovement.findMany({
    where: { needsAttention: true },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  for (const m of movements) {
    // A failed refund's debit: settled in the ledger (applied and credited back, or canceled), left for a
    // person because the payer did not get the money back.
    if (m.kind === "debit" && (m.state === "applied" || m.state === "canceled") && m.lastError?.startsWith(REFUND_FAILED_NOTE)) {
      items.push({
        kind: "refund_failed",
        paymentId: m.paymentId,
        movementId: m.id,
        amount: m.amount,
        currency: m.currency,
        reason: `${m.lastError} (Navixy user ${m.navixyUserId})`,
        // Marked handled keeping its state: "applied" stays applied (credited back since), "canceled" stays canceled.
        action: `Stripe put the money back into your balance: refund the payer again (e.g. to new card details) or settle with them another way, then mark it handled (npm run payments -- resolve ${m.id} ${m.state === "applied" ? "applied" : "canceled"} <what was done>, or in the dealer console)`,
      });
      continue;
    }
    if (m.state === "applied") continue;
    const failed = m.state === "failed";
    // Unknown: Navixy may or may not have applied it. It is looked up before anything is sent again.
    const unknown = m.state === "unknown";
    items.push({
      kind: failed ? "movement_failed" : unknown ? "movement_unknown" : "movement_stuck",
      paymentId: m.paymentId,
      movementId: m.id,
      amount: m.amount,
      currency: m.currency,
      reason: `${isRefundReversal(m) ? `credit back of failed refund ${m.reference}` : m.kind} of ${m.navixyAmount} for Navixy user ${m.navixyUserId}: ${m.lastError ?? "no answer yet"}`,
      action: failed
        ? m.lastErrorCode === 251
          ? `the user's balance is too low for the debit: retry when it allows (npm run payments -- retry ${m.id})`
          : `fix the cause in Navixy, then retry (npm run payments -- retry ${m.id})`
        : unknown
          ? `outcome unknown: it is looked up in the user's Navixy transactions (text mentioning ${m.reference}) before anything is sent again; if the lookup keeps failing, check there, then retry or cancel`
          : "retried automatically with backoff; check that Navixy is reachable",
    });
  }
  // Paid in another currency than the ledger's, never credited: until it is refunded in full.
  const foreign = await db.payment.findMany({
    where: { failureCode: CURRENCY_MISMATCH, status: { in: ["succeeded", "partially_refunded"] } },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  for (const p of foreign) {
    items.push({
      kind: "currency_mismatch",
      paymentId: p.id,
      amount: p.amount,
      currency: p.currency,
      reason: `${p.failureMessage ?? "the PaymentIntent is in another currency than the payment"} (Navixy user ${p.navixyUserId}, PaymentIntent ${p.stripePaymentIntentId})`,
      action: `refund it in Stripe (the payer can then pay again in ${p.currency.toUpperCase()}), or credit the user by hand in Navixy; it leaves this list once refunded in full`,
    });
  }
  const authorized = await db.payment.findMany({ where: { status: "authorized" }, orderBy: { authorizedAt: "asc" }, take: 500 });
  for (const p of authorized) {
    const expiresAt = (p.authorizedAt ?? p.updatedAt).getTime() + AUTHORIZATION_LIFETIME_MS;
    const expiring = expiresAt - now.getTime() < EXPIRY_WARNING_MS;
    items.push({
      kind: expiring ? "authorization_expiring" : "authorization_waiting",
      paymentId: p.id,
      amount: p.amountCapturable,
      currency: p.currency,
      reason: expiring
        ? `authorization expires ${new Date(expiresAt).toISOString()}: Stripe voids it after 7 days`
        : "authorized, waiting for capture",
      action: `npm run payments -- capture ${p.id} [amount]  or  npm run payments -- cancel ${p.id}`,
    });
  }
  return items;
}
