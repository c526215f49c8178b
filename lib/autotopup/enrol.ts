// Enrolment at the checkout. The payer ticks "Top up automatically", the checkout sends the terms and the
// mandate text it showed with POST /api/payments; lib/payments/create-payment.ts then calls:
//   1. prepareEnrolment: checks the terms and the text (which must be the one we would write), refuses when a
//      rule is already running, and makes sure the user has a Stripe Customer;
//   2. recordEnrolment, after the payment's ledger row: the rule in state "pending_enrolment", naming that payment;
//   3. the PaymentIntent is created with `customer` and `setup_future_usage: "off_session"`, so Stripe saves the
//      card when it succeeds; lib/autotopup/settle.ts then activates the rule with the PaymentIntent's payment_method.
import { z } from "zod";
import { isUniqueViolation, transaction } from "../db/client";
import { HttpError } from "../http/responses";
import type { Payment } from "../payments/ledger/payment-records";
import { amountLimits } from "../payments/limits";
import { ensureStripeCustomer } from "./customers";
import { newId } from "../ids";
import { mayReEnrol } from "./states";
import { termsProblem, type AutoTopUpTerms } from "./terms";
import { acceptedMandateText, mandateDealerName } from "./mandate";
import type { OptInDeps } from "../payments/hooks";

const minor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The `autoTopUp` field of POST /api/payments. */
export const autoTopUpInput = z.object({
  amount: minor,
  threshold: minor,
  monthlyLimit: minor,
  mandateText: z.string().max(2000),
});
export type AutoTopUpInput = z.infer<typeof autoTopUpInput>;

export interface PreparedEnrolment {
  navixyUserId: number;
  currency: string; // lower case
  terms: AutoTopUpTerms;
  mandateText: string;
  stripeCustomerId: string;
}

export const RULE_EXISTS_MESSAGE =
  "Automatic top-up is already set up for this account. Use the link you received after setting it up to change it or turn it off.";

export async function prepareEnrolment(
  services: OptInDeps,
  args: { navixyUserId: number; currency: string; input: AutoTopUpInput },
): Promise<PreparedEnrolment> {
  const { config, db } = services;
  if (!config.autoTopUp.enabled) throw new HttpError(400, "auto_top_up_unavailable", "Automatic top-up is not available here.");
  const { amount, threshold, monthlyLimit } = args.input;
  const terms: AutoTopUpTerms = { amount, threshold, monthlyLimit };
  const problem = termsProblem(terms, amountLimits(config.payments, args.currency.toUpperCase()));
  if (problem) throw new HttpError(400, "invalid_auto_top_up", problem);
  // The mandate as the payer read it, in their language, naming this dealer: it must be ours for these terms, word
  // for word.
  const text = acceptedMandateText(terms, args.currency, args.input.mandateText, await mandateDealerName(services));
  if (text === null) {
    throw new HttpError(409, "auto_top_up_terms_changed", "The automatic top-up terms have changed. Please reload the page and check them again.");
  }
  const existing = await db.autoTopUpRule.findFirst({ where: { navixyUserId: args.navixyUserId }, select: { state: true } });
  if (existing && !mayReEnrol(existing.state)) throw new HttpError(409, "auto_top_up_exists", RULE_EXISTS_MESSAGE);
  let stripeCustomerId: string;
  try {
    stripeCustomerId = await ensureStripeCustomer(services, args.navixyUserId);
  } catch {
    throw new HttpError(503, "stripe_unavailable", "The payment service is not reachable right now. Please try again in a minute.");
  }
  return { navixyUserId: args.navixyUserId, currency: args.currency.toLowerCase(), terms, mandateText: text, stripeCustomerId };
}

export interface RecordedEnrolment {
  ruleId: string;
  /** Spread into the PaymentIntent's create parameters. */
  intentParams: { customer: string; setup_future_usage: "off_session" };
  metadata: { auto_top_up_rule_id: string };
}

export async function recordEnrolment(services: OptInDeps, prepared: PreparedEnrolment, payment: Payment): Promise<RecordedEnrolment> {
  const now = new Date();
  const ruleId = await transaction(services.db, async (tx): Promise<string> => {
    const existing = await tx.autoTopUpRule.findFirst({ where: { navixyUserId: prepared.navixyUserId } });
    if (existing && !mayReEnrol(existing.state)) throw new HttpError(409, "auto_top_up_exists", RULE_EXISTS_MESSAGE);
    const fields = {
      stripeCustomerId: prepared.stripeCustomerId,
      stripePaymentMethodId: null,
      currency: prepared.currency,
      amount: prepared.terms.amount,
      threshold: prepared.terms.threshold,
      monthlyLimit: prepared.terms.monthlyLimit,
      mandateText: prepared.mandateText,
      state: "pending_enrolment",
      stateReason: null,
      softDeclines: 0,
      nextCheckAt: now,
      enrolmentPaymentId: payment.id,
    };
    let id: string;
    if (existing) {
      // A new enrolment replaces the old terms and card; links to the old rule stop working.
      id = existing.id;
      await tx.autoTopUpRule.update({ where: { id }, data: { ...fields, manageTokenVersion: { increment: 1 } } });
    } else {
      id = newId("atr");
      await tx.autoTopUpRule.create({ data: { id, navixyUserId: prepared.navixyUserId, ...fields } });
    }
    await tx.autoTopUpEvent.create({
      data: {
        ruleId: id,
        kind: "enrolment_started",
        paymentId: payment.id,
        detail: `Opted in at the checkout (${existing ? "replacing the earlier rule" : "new rule"}); starts when payment ${payment.id} succeeds.`,
      },
    });
    return id;
  }).catch((error: unknown) => {
    // Two enrolments of one user at the same moment: the database kept one.
    if (isUniqueViolation(error)) throw new HttpError(409, "auto_top_up_exists", RULE_EXISTS_MESSAGE);
    throw error;
  });
  return {
    ruleId,
    intentParams: { customer: prepared.stripeCustomerId, setup_future_usage: "off_session" },
    metadata: { auto_top_up_rule_id: ruleId },
  };
}
