// When a bank answers an off-session top-up with `authentication_required`, the rule waits in
// "paused_authentication_required" until the payer confirms it. Only the holder of the rule's manage link can:
// its page says the bank asks for a confirmation and its button opens the checkout with the link's token
// (lib/autotopup/checkout-proof.ts), which the browser also keeps from the enrolment's return page. With the token
// the checkout says "Your bank asks you to confirm your automatic top-up" and a button; pressing it asks for an
// on-session PaymentIntent for the rule's amount on the saved card (this module), which the page confirms with
// Stripe.js (`stripe.confirmCardPayment(clientSecret)`: the bank's 3-D Secure challenge). When it succeeds,
// lib/autotopup/settle.ts resumes the rule. The confirmation is an AutoTopUpCharge like any top-up (windowKey
// "recovery:..."), so it too is the user's one top-up in flight and counts toward the monthly limit.
//
// A user id is no proof of anything: without the token the checkout gets the same answer for every user, with no
// rule, an active, a paused or a turned-off one, and cannot start a confirmation.
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
import { resolveManageToken } from "./manage";

export interface CheckoutAutoTopUp {
  /** Show the opt-in: the feature is on, and (for the link's holder) no rule is running. */
  offer: boolean;
  /** Show "Your bank asks you to confirm your automatic top-up" (only ever to the link's holder). */
  needsConfirmation: boolean;
  /** Only when a token was sent: whether it is a current manage link of this user's rule. */
  link?: "valid" | "invalid";
}

/**
 * GET /api/topup/checkout?userId=: what the checkout shows about automatic top-up. Without a token, one answer for
 * everyone, read from nothing but the settings; with the manage link's token of this user's rule, that rule's.
 */
export async function checkoutAutoTopUp(services: Services, navixyUserId: number, token?: string | null): Promise<CheckoutAutoTopUp> {
  const anonymous: CheckoutAutoTopUp = { offer: services.config.autoTopUp.enabled, needsConfirmation: false };
  if (!token) return anonymous;
  const proven = await resolveManageToken(services, token);
  if (!proven.ok || proven.rule.navixyUserId !== navixyUserId) return { ...anonymous, link: "invalid" };
  const { state } = proven.rule;
  return {
    offer: services.config.autoTopUp.enabled && mayReEnrol(state),
    needsConfirmation: state === "paused_authentication_required",
    link: "valid",
  };
}

export interface StartedConfirmation {
  paymentId: string;
  clientSecret: string;
}

const NOTHING_TO_CONFIRM = new HttpError(409, "nothing_to_confirm", "There is no automatic top-up waiting for your confirmation.");
const BUSY = new HttpError(409, "top_up_in_progress", "A top-up of this account is being processed. Please try again in a few minutes.");

/** POST /api/topup/confirm, once the manage link proved the rule: the on-session PaymentIntent the payer confirms. */
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
    await movePayment(services.sql.within(tx), payment, paymentStatusFromIntent(intent), "auto_top_up_confirmation", {
      stripePaymentIntentId: intent.id,
      livemode: intent.livemode,
    });
  });
  return intent.client_secret ?? "";
}
