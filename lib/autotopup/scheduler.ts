// The automatic top-up scheduler. The worker takes due rules of every dealer as one of its queues (queue.ts, about
// once a minute); tests call runAutoTopUps with their own `now`.
//
// Rules whose nextCheckAt has come are taken oldest first (at most AUTO_TOP_UP_BATCH per pass), and for each:
//   1. claims it: a conditional update moves nextCheckAt on by the interval (plus the rule's own jitter); of
//      several schedulers that read the same rule, exactly one update matches, the others skip it;
//   2. if a top-up of this user is still in flight, brings it up to date from Stripe and stops there;
//   3. if any credit of this user has not reached Navixy yet, stops: the balance it reads would be stale and
//      would cause a second charge (the classic "charges in a loop" bug);
//   4. reads the balance (panel/user/read) and, if it is not below the threshold, stops (Navixy keeps 4 decimals,
//      e.g. "12.3456" after a prorated daily fee: compared exactly, never through floats);
//   5. if this month's top-ups (pending ones included) plus this one would exceed the monthly limit, stops
//      until the next month;
//   6. records a Payment (the normal ledger row) and an AutoTopUpCharge in one transaction: the charge's unique
//      inFlightUserId refuses a second top-up in flight for the user, its unique windowKey a second one in the
//      same check window, whatever the schedulers do;
//   7. creates one off-session PaymentIntent (idempotency key from the window) and syncs it: the normal path
//      credits it, and lib/autotopup/settle.ts settles the charge and handles a decline.
// Every decision is an AutoTopUpEvent on the rule's timeline.
import { payerOf, type Payer } from "../payments/payer";
import Stripe from "stripe";
import { isUniqueViolation, transaction } from "../db/client";
import type { AutoTopUpCharge, AutoTopUpRule } from "../db/generated/sqlite/client";
import { newId } from "../ids";
import { movePayment, type Payment } from "../payments/ledger/payment-records";
import { logger } from "../logging/logger";
import { formatNavixyBalance, parseNavixyBalance } from "../money";
import { isNavixyApiError } from "../navixy";
import { syncPaymentIntent } from "../payments/sync-payment-intent";
import type { Services } from "../server/services";
import { jitterMs, monthStart, nextCheckAfter, nextMonthStart, windowIndex } from "./schedule";
import { termAmount } from "./terms";
import { asPaymentIntentId } from "../ids";

export interface AutoTopUpReport {
  /** Rules this pass took (due and claimed). */
  claimed: number;
  charged: number;
  skipped: number;
  errors: number;
  /** What happened to each rule this pass took. */
  outcomes: { ruleId: string; outcome: "charged" | "skipped" | "checked" | "error" }[];
}

/** A charge whose PaymentIntent was never created (Stripe unreachable) is given up after this long. */
const GIVE_UP_CREATING_AFTER_MS = 23 * 3_600_000;
const NOT_MONEY = ["failed", "canceled", "abandoned"];
const CREDIT_UNDER_WAY = ["pending", "sending", "unknown", "failed"];

const log = () => logger.child({ component: "auto-top-up" });

/** One dealer's pass, all at once (tests with their own `now`); the worker checks rule by rule (queue.ts). */
export async function runAutoTopUps(services: Services, options: { now?: Date; batchSize?: number } = {}): Promise<AutoTopUpReport> {
  const { db, config } = services;
  const report: AutoTopUpReport = { claimed: 0, charged: 0, skipped: 0, errors: 0, outcomes: [] };
  if (!config.autoTopUp.enabled) return report;
  const now = options.now ?? new Date();
  const due = await dueAutoTopUpRules(db, now, { limit: options.batchSize ?? config.autoTopUp.batchSize });
  for (const rule of due) {
    const outcome = await checkDueRule(services, rule.id, now);
    if (outcome === "not_due") continue;
    report.claimed++;
    report.outcomes.push({ ruleId: rule.id, outcome: outcome === "rate_limited" ? "skipped" : outcome });
    if (outcome === "charged") report.charged++;
    else if (outcome === "skipped") report.skipped++;
    else if (outcome === "error") report.errors++;
    else if (outcome === "rate_limited") {
      report.skipped++;
      break; // Navixy says slow down: leave the rest of the batch for later passes
    }
  }
  return report;
}

/** Active rules whose check has come, of every dealer `db` sees (the worker: one query for all dealers), oldest first. */
export function dueAutoTopUpRules(db: Services["db"], now: Date, opts: { limit: number; where?: { dealerId?: unknown } }) {
  return db.autoTopUpRule.findMany({
    where: { ...((opts.where ?? {}) as Record<string, never>), state: "active", nextCheckAt: { lte: now } },
    orderBy: { nextCheckAt: "asc" },
    take: opts.limit,
    select: { id: true, dealerId: true },
  });
}

export type RuleCheckOutcome = CheckOutcome | "error" | "not_due";

/**
 * Claims one due rule (a conditional update moves nextCheckAt on: of several schedulers exactly one matches) and
 * checks it. "not_due" when it is no longer due or another scheduler took it. Never throws.
 */
export async function checkDueRule(services: Services, ruleId: string, now = new Date()): Promise<RuleCheckOutcome> {
  const { db, config } = services;
  const rule = await db.autoTopUpRule.findUnique({ where: { id: ruleId } });
  if (!rule || rule.state !== "active" || rule.nextCheckAt > now) return "not_due";
  const claim = nextCheckAfter(rule.id, now, config.autoTopUp.checkIntervalMs);
  const { count } = await db.autoTopUpRule.updateMany({
    where: { id: rule.id, state: "active", nextCheckAt: rule.nextCheckAt },
    data: { nextCheckAt: claim },
  });
  if (count !== 1) return "not_due"; // another scheduler took it
  // Turned off for this dealer: the rule keeps its place and is looked at again an interval later.
  if (!config.autoTopUp.enabled) return "not_due";
  try {
    return await checkRule(services, rule, claim, now);
  } catch (error) {
    log().error({ ruleId: rule.id, err: error }, "automatic top-up check failed");
    await event(services, rule.id, "error", `The check failed: ${(error as Error).message ?? String(error)}`.slice(0, 500)).catch(() => {});
    return "error";
  }
}

type CheckOutcome = "charged" | "skipped" | "checked" | "rate_limited";

async function event(services: Services, ruleId: string, kind: string, detail: string, paymentId?: string, at?: Date) {
  await services.db.autoTopUpEvent.create({ data: { ruleId, kind, detail, paymentId: paymentId ?? null, ...(at ? { at } : {}) } });
}

async function checkRule(services: Services, rule: AutoTopUpRule, claim: Date, now: Date): Promise<CheckOutcome> {
  const { db } = services;
  const skip = async (detail: string, paymentId?: string): Promise<"skipped"> => {
    await event(services, rule.id, "skipped", detail, paymentId, now);
    return "skipped";
  };

  // 2. One top-up in flight per user.
  const inFlight = await db.autoTopUpCharge.findFirst({ where: { inFlightUserId: rule.navixyUserId } });
  if (inFlight) return (await resolveInFlight(services, rule, inFlight, now)) ?? skip(`A top-up is still in flight (payment ${inFlight.paymentId}).`, inFlight.paymentId);

  if (!rule.stripePaymentMethodId) return skip("No saved card.");

  // 3. A credit still on its way to Navixy: the balance we would read does not show it yet.
  const underWay = await db.balanceMovement.findFirst({
    where: { navixyUserId: rule.navixyUserId, kind: "credit", state: { in: CREDIT_UNDER_WAY } },
    select: { paymentId: true, state: true },
  });
  if (underWay) return skip(`The credit of payment ${underWay.paymentId} has not reached the balance yet (${underWay.state}).`, underWay.paymentId);

  // 4. The balance.
  let currency: string;
  try {
    currency = (await services.currency.get()).toLowerCase();
  } catch {
    return skip("Navixy is not reachable (dealer currency).");
  }
  if (currency !== rule.currency) return skip(`The dealer currency is now ${currency.toUpperCase()}, the rule's is ${rule.currency.toUpperCase()}.`);
  let balanceText: string;
  let payer: Payer;
  try {
    const user = await services.navixy.readUser(rule.navixyUserId);
    balanceText = user.balance;
    // Who pays, for the console, as the checkout records it: from this same read.
    payer = payerOf(user);
  } catch (error) {
    if (isNavixyApiError(error) && error.code === 15) {
      await skip("Navixy's rate limit was reached; checked again later.");
      return "rate_limited";
    }
    if (isNavixyApiError(error) && error.kind === "not_found") return skip("Navixy no longer knows this user.");
    return skip(`Navixy is not reachable: ${(error as Error).message}`.slice(0, 300));
  }
  // Rounded down to the currency's minor unit: for a threshold in whole minor units, exactly "below" or not.
  const balance = parseNavixyBalance(balanceText, rule.currency);
  if (balance === null) return skip(`Navixy sent a balance we cannot read: ${JSON.stringify(balanceText).slice(0, 40)}.`);
  const shown = formatNavixyBalance(balanceText, rule.currency);
  if (balance >= rule.threshold) {
    await recordQuietCheck(services, rule, shown, now);
    return "checked";
  }
  await event(
    services,
    rule.id,
    "checked",
    `Balance ${shown} is below the threshold ${termAmount(rule.threshold, rule.currency)}.`,
    undefined,
    now,
  );

  // 5. The monthly limit, pending top-ups included.
  const used = await chargedThisMonth(services, rule.id, now);
  if (used + rule.amount > rule.monthlyLimit) {
    const next = nextMonthStart(now);
    await db.autoTopUpRule.updateMany({
      where: { id: rule.id, state: "active" },
      data: { nextCheckAt: new Date(next.getTime() + jitterMs(rule.id, services.config.autoTopUp.checkIntervalMs)) },
    });
    return skip(
      `Monthly limit reached: ${termAmount(used, rule.currency)} of ${termAmount(rule.monthlyLimit, rule.currency)} this month (pending top-ups included); no top-up until ${next.toISOString().slice(0, 10)}.`,
    );
  }

  // 6. The ledger row and the charge, together.
  const windowKey = `auto:${rule.id}:${windowIndex(now, services.config.autoTopUp.checkIntervalMs)}`;
  let recorded: { payment: Payment; charge: AutoTopUpCharge };
  try {
    recorded = await recordCharge(services, rule, rule.amount, windowKey, now, { claim }, payer);
  } catch (error) {
    if (isUniqueViolation(error)) return skip("Another top-up of this user is in flight or was made in this check window.");
    if (error instanceof ClaimLost) return skip("Another scheduler checked this rule meanwhile; it decides.");
    throw error;
  }
  await event(
    services,
    rule.id,
    "charged",
    `Charging ${termAmount(rule.amount, rule.currency)} to the saved card (payment ${recorded.payment.id}).`,
    recorded.payment.id,
    now,
  );
  // 7. Stripe.
  await createOffSessionIntent(services, rule, recorded.charge, recorded.payment);
  return "charged";
}

class ClaimLost extends Error {}

/**
 * A charge and its Payment, in one transaction. Also used for the on-session confirmation of a paused rule
 * (lib/autotopup/recovery.ts). Throws the unique violation when the user already has a top-up in flight.
 *
 * With `guard.claim` (the scheduler), the rule must still be active with the nextCheckAt this scheduler's claim
 * wrote: if another scheduler claimed the rule since (a slow pass overtaken by a later one), it is the one that
 * decides, because this one's balance reading may be older than a top-up the other has made meanwhile.
 */
export async function recordCharge(
  services: Services,
  rule: Pick<AutoTopUpRule, "id" | "navixyUserId" | "currency">,
  amount: number,
  windowKey: string,
  now: Date,
  guard?: { claim: Date },
  payer?: Payer,
): Promise<{ payment: Payment; charge: AutoTopUpCharge }> {
  return transaction(services.db, async (tx) => {
    if (guard) {
      // A write, so the row stays locked (PostgreSQL) / the database is ours (SQLite) until this commits.
      const { count } = await tx.autoTopUpRule.updateMany({
        where: { id: rule.id, state: "active", nextCheckAt: guard.claim },
        data: { nextCheckAt: guard.claim },
      });
      if (count !== 1) throw new ClaimLost();
    }
    const payment = await tx.payment.create({
      data: {
        id: newId("pay"),
        navixyUserId: rule.navixyUserId,
        amount,
        currency: rule.currency,
        status: "created",
        captureMethod: "automatic",
        livemode: services.config.stripe.livemode,
        ...payer,
      },
    });
    await tx.paymentStatusChange.create({ data: { paymentId: payment.id, fromStatus: null, toStatus: "created", source: "auto_top_up" } });
    const charge = await tx.autoTopUpCharge.create({
      data: { id: newId("atc"), ruleId: rule.id, paymentId: payment.id, windowKey, amount, inFlightUserId: rule.navixyUserId, createdAt: now },
    });
    return { payment, charge };
  });
}

/** Sum of this calendar month's top-ups (UTC) that are paid or may still be: declined and canceled ones do not count. */
export async function chargedThisMonth(services: Services, ruleId: string, now: Date): Promise<number> {
  const { db } = services;
  const charges = await db.autoTopUpCharge.findMany({
    where: { ruleId, createdAt: { gte: monthStart(now), lt: nextMonthStart(now) } },
    select: { amount: true, paymentId: true },
  });
  if (charges.length === 0) return 0;
  const dead = new Set(
    (await db.payment.findMany({ where: { id: { in: charges.map((c) => c.paymentId) }, status: { in: NOT_MONEY } }, select: { id: true } })).map((p) => p.id),
  );
  return charges.filter((c) => !dead.has(c.paymentId)).reduce((sum, c) => sum + c.amount, 0);
}

/**
 * "Balance above the threshold" is the common answer, every ten minutes: the timeline keeps one event for a run
 * of them (counting the checks and showing the latest balance) instead of thousands.
 */
async function recordQuietCheck(services: Services, rule: AutoTopUpRule, shownBalance: string, now: Date): Promise<void> {
  const { db } = services;
  const text = `Balance ${shownBalance} is not below the threshold ${termAmount(rule.threshold, rule.currency)}`;
  const last = await db.autoTopUpEvent.findFirst({ where: { ruleId: rule.id }, orderBy: [{ at: "desc" }, { id: "desc" }] });
  const m = last?.kind === "checked" ? /^Balance .* is not below the threshold .*? \((\d+) checks? since ([0-9T:.Z-]+)\)$/.exec(last.detail ?? "") : null;
  if (last && m) {
    const count = Number(m[1]) + 1;
    await db.autoTopUpEvent.update({ where: { id: last.id }, data: { at: now, detail: `${text} (${count} checks since ${m[2]})` } });
    return;
  }
  await event(services, rule.id, "checked", `${text} (1 check since ${now.toISOString()})`, undefined, now);
}

/** Returns an outcome when the in-flight charge was dealt with here, or undefined to report it as still in flight. */
async function resolveInFlight(services: Services, rule: AutoTopUpRule, charge: AutoTopUpCharge, now: Date): Promise<CheckOutcome | undefined> {
  const { db } = services;
  const payment = await db.payment.findUnique({ where: { id: charge.paymentId } });
  if (!payment) return undefined;
  if (payment.stripePaymentIntentId) {
    // A lost webhook must not hold the rule forever: read the PaymentIntent (settle.ts acts if it is final).
    await syncPaymentIntent(services, asPaymentIntentId(payment.stripePaymentIntentId), "auto_top_up").catch((error: unknown) => {
      log().warn({ ruleId: rule.id, paymentId: payment.id, err: error }, "could not sync the top-up in flight");
    });
    const after = await db.autoTopUpCharge.findUnique({ where: { id: charge.id }, select: { settledAt: true } });
    if (after?.settledAt) {
      await event(services, rule.id, "skipped", `The top-up in flight (payment ${payment.id}) has just completed; next check later.`, payment.id, now);
      return "skipped";
    }
    return undefined;
  }
  // No PaymentIntent: Stripe refused or never answered when it was created.
  if (payment.status === "abandoned" || payment.status === "canceled" || now.getTime() - charge.createdAt.getTime() > GIVE_UP_CREATING_AFTER_MS) {
    await transaction(db, async (tx) => {
      await movePayment(services.sql.within(tx), payment, "abandoned", "auto_top_up");
      await tx.autoTopUpCharge.updateMany({ where: { id: charge.id, settledAt: null }, data: { settledAt: new Date(), inFlightUserId: null } });
    });
    await event(services, rule.id, "failed", `Payment ${payment.id} was given up: Stripe never created its PaymentIntent.`, payment.id, now);
    return "skipped";
  }
  await event(services, rule.id, "retrying", `Creating the PaymentIntent of payment ${payment.id} again (same idempotency key).`, payment.id, now);
  await createOffSessionIntent(services, rule, charge, payment);
  return "charged";
}

/** The off-session PaymentIntent of a charge, confirmed at once; then synced so the ledger and the rule follow. */
async function createOffSessionIntent(services: Services, rule: AutoTopUpRule, charge: AutoTopUpCharge, payment: Payment): Promise<void> {
  const { stripe, config } = services;
  let paymentIntentId: string | undefined;
  try {
    const intent = await stripe.paymentIntents.create(
      {
        amount: charge.amount,
        currency: rule.currency,
        customer: rule.stripeCustomerId,
        payment_method: rule.stripePaymentMethodId ?? undefined,
        off_session: true,
        confirm: true,
        capture_method: "automatic",
        return_url: `${config.publicUrl}/payment/complete`,
        description: `Automatic Navixy balance top-up for user ${rule.navixyUserId}`,
        metadata: {
          navixy_user_id: String(rule.navixyUserId),
          payment_id: payment.id,
          auto_top_up_rule_id: rule.id,
          auto_top_up_charge_id: charge.id,
        },
      },
      { idempotencyKey: `auto-top-up:${charge.windowKey}` },
    );
    paymentIntentId = intent.id;
  } catch (error) {
    const raw = (error as { raw?: { payment_intent?: { id?: string } } }).raw;
    paymentIntentId = raw?.payment_intent?.id;
    if (!paymentIntentId) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) {
        await giveUpUnusableCard(services, rule, charge, payment, error);
        return;
      }
      // No answer, or Stripe's own trouble: the charge stays in flight and the next check tries again with the same key.
      log().warn({ ruleId: rule.id, paymentId: payment.id, err: error }, "Stripe did not create the top-up's PaymentIntent");
      await event(services, rule.id, "failed", `Stripe did not answer (${(error as Error).message}); tried again at the next check.`.slice(0, 500), payment.id);
      return;
    }
  }
  await syncPaymentIntent(services, asPaymentIntentId(paymentIntentId), "auto_top_up");
}

/** Stripe refused the request itself (saved card detached, customer deleted...): the rule cannot work any more. */
async function giveUpUnusableCard(
  services: Services,
  rule: AutoTopUpRule,
  charge: AutoTopUpCharge,
  payment: Payment,
  error: Stripe.errors.StripeInvalidRequestError,
): Promise<void> {
  const code = error.code ?? "invalid_request";
  await transaction(services.db, async (tx) => {
    await movePayment(services.sql.within(tx), payment, "failed", "auto_top_up", { failureCode: code, failureMessage: "The saved card can no longer be charged." });
    await tx.autoTopUpCharge.updateMany({ where: { id: charge.id, settledAt: null }, data: { settledAt: new Date(), inFlightUserId: null } });
    await tx.autoTopUpRule.updateMany({
      where: { id: rule.id, state: "active" },
      data: { state: "disabled_card_unusable", stateReason: `Stripe refused the saved card (${code}): ${error.message}`.slice(0, 500) },
    });
    await tx.autoTopUpEvent.create({ data: { ruleId: rule.id, kind: "disabled", paymentId: payment.id, detail: `Stripe refused the saved card (${code}).` } });
  });
}
