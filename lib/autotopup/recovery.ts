// When a bank answers an off-session top-up with `authentication_required`, the rule waits in
// "paused_authentication_required" until the payer next opens the checkout (/?id=<user>). The page then says
// only "Your bank asks you to confirm your automatic top-up" with a button; pressing it asks for an
// on-session PaymentIntent for the rule's amount on the saved card (this module), which the page confirms with
// Stripe.js (`stripe.confirmCardPayment(clientSecret)`: the bank's 3-D Secure challenge). When it succeeds,
// lib/autotopup/settle.ts resumes the rule. The confirmation is an AutoTopUpCharge like any top-up (windowKey
// "recovery:..."), so it too is the user's one top-up in flight and counts toward the monthly limit.
//
// Anyone who knows a user id can open that checkout, as with any payment: what they can do is ask the card
// holder's bank to authenticate a top-up the card holder already agreed to, for the agreed amount, credited to
// the card holder's own balance. The page shows nothing personal.
import { randomBytes } from "node:crypto";
import type Stripe from "stripe";
import { isUniqueViolation, transaction } from "../db/client";
import { HttpError } from "../http/responses";
import { movePayment } from "../payments/ledger/payment-records";
import { paymentStatusFromIntent } from "../payments/ledger/states";
import { syncPaymentIntent } from "../payments/sync-payment-intent";
import type { Services } from "../server/services";
import { chargedThisMonth, recordCharge } from "./scheduler";
import { isRecoveryCharge } from "./settle";
import { mayReEnrol } from "./states";
import { asPaymentIntentId } from "../ids";

export interface CheckoutAutoTopUp {
  /** Show the opt-in (the feature is on and no rule is running for this user). */
  offer: boolean;
  /** Show "Your bank asks you to confirm your automatic top-up". */
  needsConfirmation: boolean;
}

/** GET /api/topup/checkout?userId=: what the checkout shows about automatic top-up (nothing personal). */
export async function checkoutAutoTopUp(services: Services, navixyUserId: number): Promise<CheckoutAutoTopUp> {
  const rule = await services.db.autoTopUpRule.findFirst({ where: { navixyUserId }, select: { state: true } });
  return {
    offer: services.config.autoTopUp.enabled && (!rule || mayReEnrol(rule.state)),
    needsConfirmation: rule?.state === "paused_authentication_required",
  };
}

export interface StartedConfirmation {
  paymentId: string;
  clientSecret: string;
}

const NOTHING_TO_CONFIRM = new HttpError(409, "nothing_to_confirm", "There is no automatic top-up waiting for your confirmation.");
const BUSY = new HttpError(409, "top_up_in_progress", "A top-up of this account is being processed. Please try again in a few minutes.");

/** POST /api/topup/confirm {userId}: the on-session PaymentIntent the payer confirms with their bank. */
export async function startConfirmation(services: Services, navixyUserId: number, now = new Date()): Promise<StartedConfirmation> {
  const { db, stripe } = services;
  const rule = await db.autoTopUpRule.findFirst({ where: { navixyUserId } });
  if (!rule || rule.state !== "paused_authentication_required" || !rule.stripePaymentMethodId) throw NOTHING_TO_CONFIRM;
  const paymentMethod = rule.stripePaymentMethodId;

  const inFlight = await db.autoTopUpCharge.findFirst({ where: { inFlightUserId: navixyUserId } });
  if (inFlight) {
    if (!isRecoveryCharge(inFlight)) throw BUSY;
    const payment = await db.payment.findUniqueOrThrow({ where: { id: inFlight.paymentId } });
    if (!payment.stripePaymentIntentId) {
      return { paymentId: payment.id, clientSecret: await createIntent(services, rule, inFlight, payment.id) };
    }
    // The payer is back (a failed or interrupted challenge): the same PaymentIntent, with the saved card again.
    let intent = await stripe.paymentIntents.retrieve(payment.stripePaymentIntentId);
    if (intent.status === "requires_payment_method") {
      intent = await stripe.paymentIntents.update(intent.id, { payment_method: paymentMethod });
    }
    if (intent.status === "requires_confirmation" || intent.status === "requires_action") {
      return { paymentId: payment.id, clientSecret: intent.client_secret ?? "" };
    }
    // Paid or ended meanwhile: bring the ledger up to date (settle.ts resumes or releases the rule).
    await syncPaymentIntent(services, asPaymentIntentId(intent.id), "auto_top_up_confirmation");
    if (intent.status !== "canceled") throw NOTHING_TO_CONFIRM;
  }

  if ((await chargedThisMonth(services, rule.id, now)) + rule.amount > rule.monthlyLimit) {
    throw new HttpError(409, "monthly_limit_reached", "The monthly limit of your automatic top-up has been reached. You can still add money below.");
  }
  let recorded;
  try {
    recorded = await recordCharge(services, rule, rule.amount, `recovery:${rule.id}:${randomBytes(8).toString("hex")}`, now);
  } catch (error) {
    if (isUniqueViolation(error)) throw BUSY;
    throw error;
  }
  await db.autoTopUpEvent.create({
    data: { ruleId: rule.id, kind: "confirmation_started", paymentId: recorded.payment.id, detail: "The payer opened the bank confirmation at the checkout." },
  });
  return { paymentId: recorded.payment.id, clientSecret: await createIntent(services, rule, recorded.charge, recorded.payment.id) };
}

async function createIntent(
  services: Services,
  rule: { id: string; navixyUserId: number; currency: string; stripeCustomerId: string; stripePaymentMethodId: string | null },
  charge: { id: string; amount: number; windowKey: string },
  paymentId: string,
): Promise<string> {
  let intent: Stripe.PaymentIntent;
  try {
    intent = await services.stripe.paymentIntents.create(
      {
        amount: charge.amount,
        currency: rule.currency,
        customer: rule.stripeCustomerId,
        payment_method: rule.stripePaymentMethodId ?? undefined,
        setup_future_usage: "off_session",
        capture_method: "automatic",
        description: `Automatic Navixy balance top-up for user ${rule.navixyUserId} (confirmed by the payer)`,
        metadata: {
          navixy_user_id: String(rule.navixyUserId),
          payment_id: paymentId,
          auto_top_up_rule_id: rule.id,
          auto_top_up_charge_id: charge.id,
        },
      },
      { idempotencyKey: `auto-top-up:${charge.windowKey}` },
    );
  } catch {
    throw new HttpError(503, "stripe_unavailable", "The payment service is not reachable right now. Please try again in a minute.");
  }
  await transaction(services.db, async (tx) => {
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
    await movePayment(tx, payment, paymentStatusFromIntent(intent), "auto_top_up_confirmation", {
      stripePaymentIntentId: intent.id,
      livemode: intent.livemode,
    });
  });
  return intent.client_secret ?? "";
}
