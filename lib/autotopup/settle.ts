// What a payment's new state means for automatic top-up. Called by lib/payments/sync-payment-intent.ts inside
// the transaction that moves the payment, so it runs for every way Stripe's truth arrives (webhook, return
// page, sweep, the scheduler's own sync) and, being conditional on what it changes, acts once.
//   - the enrolment payment succeeded: the rule becomes active with the PaymentIntent's payment_method;
//     canceled or abandoned: the rule is turned off ("disabled_enrolment_incomplete");
//   - a top-up's payment became final: the charge is settled (settledAt, inFlightUserId cleared, which lets the
//     next top-up in), and a decline decides the rule's fate (lib/autotopup/states.ts, classifyDecline).
import type Stripe from "stripe";
import type { Config } from "../config";
import type { Tx } from "../db/client";
import type { Payment } from "../payments/ledger/payment-records";
import { nextCheckAfter } from "./schedule";
import { classifyDecline, SOFT_DECLINE_RETRY_MS, SOFT_DECLINES_BEFORE_OFF } from "./states";
import { termAmount } from "./terms";

const MONEY_RECEIVED = new Set(["succeeded", "partially_refunded", "refunded"]);
const ENDED = new Set(["canceled", "abandoned"]);

export function isRecoveryCharge(charge: { windowKey: string }): boolean {
  return charge.windowKey.startsWith("recovery:");
}

/**
 * Whether a synced payment may be a rule's enrolment or a top-up: each of those was created with the rule's id in its
 * PaymentIntent's metadata (enrol.ts, scheduler.ts, recovery.ts). Almost no payment is, and for the others the sync
 * does not call afterPaymentSync at all.
 */
export function concernsAutoTopUp(intent: Stripe.PaymentIntent): boolean {
  return Boolean(intent.metadata?.auto_top_up_rule_id);
}

export async function afterPaymentSync(tx: Tx, config: Config, payment: Payment, intent: Stripe.PaymentIntent): Promise<void> {
  if (!concernsAutoTopUp(intent)) return;
  // One plain query says which it is: a rule waiting for this payment, a charge of it.
  const [role] = await tx.$queryRaw<{ enrolment: string | null; charge: string | null }[]>`
    SELECT
      (SELECT "enrolmentPaymentId" FROM "AutoTopUpRule"
        WHERE "dealerId" = ${payment.dealerId} AND "navixyUserId" = ${payment.navixyUserId} AND "state" = 'pending_enrolment') AS "enrolment",
      (SELECT "id" FROM "AutoTopUpCharge" WHERE "dealerId" = ${payment.dealerId} AND "paymentId" = ${payment.id}) AS "charge"`;
  if (role?.enrolment === payment.id) await activateEnrolment(tx, config, payment, intent);
  if (role?.charge) await settleCharge(tx, config, payment, intent);
}

function paymentMethodOf(intent: Stripe.PaymentIntent): string | null {
  const pm = intent.payment_method;
  return typeof pm === "string" ? pm : (pm?.id ?? null);
}

async function activateEnrolment(tx: Tx, config: Config, payment: Payment, intent: Stripe.PaymentIntent): Promise<void> {
  const rule = await tx.autoTopUpRule.findFirst({ where: { navixyUserId: payment.navixyUserId } });
  if (!rule || rule.enrolmentPaymentId !== payment.id || rule.state !== "pending_enrolment") return;
  const mine = { id: rule.id, state: "pending_enrolment", enrolmentPaymentId: payment.id };
  const now = new Date();
  const paymentMethod = paymentMethodOf(intent);
  if (MONEY_RECEIVED.has(payment.status) && paymentMethod) {
    const { count } = await tx.autoTopUpRule.updateMany({
      where: mine,
      data: {
        state: "active",
        stateReason: null,
        stripePaymentMethodId: paymentMethod,
        softDeclines: 0,
        // Not at once: the enrolment payment's own credit lands first.
        nextCheckAt: nextCheckAfter(rule.id, now, config.autoTopUp.checkIntervalMs),
      },
    });
    if (count === 1) {
      await tx.autoTopUpEvent.create({
        data: { ruleId: rule.id, kind: "enrolled", paymentId: payment.id, detail: `Card saved by payment ${payment.id}; automatic top-up is on.` },
      });
    }
    return;
  }
  if (ENDED.has(payment.status)) {
    const { count } = await tx.autoTopUpRule.updateMany({
      where: mine,
      data: { state: "disabled_enrolment_incomplete", stateReason: `The enrolment payment ${payment.id} was ${payment.status}.` },
    });
    if (count === 1) {
      await tx.autoTopUpEvent.create({
        data: { ruleId: rule.id, kind: "disabled", paymentId: payment.id, detail: `The enrolment payment was ${payment.status}: no card saved.` },
      });
    }
  }
}

async function settleCharge(tx: Tx, config: Config, payment: Payment, intent: Stripe.PaymentIntent): Promise<void> {
  const charge = await tx.autoTopUpCharge.findUnique({ where: { paymentId: payment.id } });
  if (!charge || charge.settledAt) return;
  const recovery = isRecoveryCharge(charge);
  const received = MONEY_RECEIVED.has(payment.status);
  const ended = ENDED.has(payment.status);
  // An off-session charge is never tried again: its decline is final. A recovery charge is confirmed by the payer
  // on-session, who may try again on the same PaymentIntent: only success or its end settles it.
  const declined = payment.status === "failed" && !recovery;
  if (!received && !ended && !declined) return;

  const now = new Date();
  const { count } = await tx.autoTopUpCharge.updateMany({
    where: { id: charge.id, settledAt: null },
    data: { settledAt: now, inFlightUserId: null },
  });
  if (count !== 1) return;
  const rule = await tx.autoTopUpRule.findUnique({ where: { id: charge.ruleId } });
  if (!rule) return;
  const event = (kind: string, detail: string) => tx.autoTopUpEvent.create({ data: { ruleId: rule.id, kind, detail, paymentId: payment.id } });
  const amount = termAmount(charge.amount, payment.currency);

  if (received) {
    await event("succeeded", `${recovery ? "Confirmed top-up" : "Top-up"} of ${amount} paid (PaymentIntent ${intent.id}); the credit follows.`);
    if (recovery && rule.state === "paused_authentication_required") {
      const { count: resumed } = await tx.autoTopUpRule.updateMany({
        where: { id: rule.id, state: "paused_authentication_required" },
        data: {
          state: "active",
          stateReason: null,
          softDeclines: 0,
          stripePaymentMethodId: paymentMethodOf(intent) ?? rule.stripePaymentMethodId,
          nextCheckAt: nextCheckAfter(rule.id, now, config.autoTopUp.checkIntervalMs),
        },
      });
      if (resumed === 1) await event("resumed", "The payer confirmed with their bank; automatic top-up is on again.");
    } else if (rule.state === "active" && rule.softDeclines > 0) {
      await tx.autoTopUpRule.updateMany({ where: { id: rule.id, state: "active" }, data: { softDeclines: 0, stateReason: null } });
    }
    return;
  }
  if (ended) {
    await event("failed", `${recovery ? "Confirmation" : "Top-up"} payment ${payment.id} was ${payment.status} before it completed.`);
    return;
  }

  const error = intent.last_payment_error;
  const code = error?.decline_code ?? error?.code ?? payment.failureCode ?? "payment_failed";
  const kind = classifyDecline(error ?? { code: payment.failureCode });
  await event("failed", `Top-up of ${amount} declined: ${code}${error?.message ? ` (${error.message})` : ""}.`);
  // Turned off or paused meanwhile: the payer's or the dealer's decision stands.
  if (rule.state !== "active") return;
  const active = { id: rule.id, state: "active" };
  if (kind === "authentication_required") {
    await tx.autoTopUpRule.updateMany({
      where: active,
      data: { state: "paused_authentication_required", stateReason: `The bank asked the payer to confirm (${code}); waiting for them at the checkout.` },
    });
    await event("paused", "Paused until the payer confirms a top-up with their bank at the checkout.");
    return;
  }
  if (kind === "hard") {
    await tx.autoTopUpRule.updateMany({
      where: active,
      data: { state: "disabled_card_declined", stateReason: `Hard decline (${code}): this card will not be charged again.` },
    });
    await event("disabled", `Turned off after a hard decline (${code}).`);
    return;
  }
  const declines = rule.softDeclines + 1;
  if (declines >= SOFT_DECLINES_BEFORE_OFF) {
    await tx.autoTopUpRule.updateMany({
      where: active,
      data: { softDeclines: declines, state: "disabled_repeated_declines", stateReason: `${declines} declines in a row, the last ${code}.` },
    });
    await event("disabled", `Turned off after ${declines} declines in a row.`);
    return;
  }
  const retryAt = new Date(charge.createdAt.getTime() + SOFT_DECLINE_RETRY_MS);
  await tx.autoTopUpRule.updateMany({
    where: active,
    data: {
      softDeclines: declines,
      nextCheckAt: retryAt,
      stateReason: `Declined (${code}), ${declines} of ${SOFT_DECLINES_BEFORE_OFF}; trying again after ${retryAt.toISOString()}.`,
    },
  });
  await event("retry_scheduled", `Soft decline ${declines} of ${SOFT_DECLINES_BEFORE_OFF}: next attempt after ${retryAt.toISOString()}.`);
}
