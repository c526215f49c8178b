// For the dealer console (written elsewhere): list rules, show a rule's timeline, pause, resume and turn off.
// These functions change nothing but the rule and its timeline; the caller writes the audit log (AuditLog) with
// the `before` and `after` they return.
import type { Db } from "../db/client";
import type { AutoTopUpCharge, AutoTopUpEvent, AutoTopUpRule } from "../db/generated/sqlite/client";
import { isOff, stateLabel, type AutoTopUpState } from "./states";

export type { AutoTopUpRule, AutoTopUpEvent, AutoTopUpCharge };

/** A rule as the console shows it: no mandate text, no Stripe ids beyond the customer. */
export interface RuleSummary {
  id: string;
  navixyUserId: number;
  state: string;
  stateLabel: string;
  stateReason: string | null;
  currency: string;
  amount: number;
  threshold: number;
  monthlyLimit: number;
  softDeclines: number;
  nextCheckAt: Date;
  createdAt: Date;
  updatedAt: Date;
  stripeCustomerId: string;
}

function summary(r: AutoTopUpRule): RuleSummary {
  return {
    id: r.id,
    navixyUserId: r.navixyUserId,
    state: r.state,
    stateLabel: stateLabel(r.state),
    stateReason: r.stateReason,
    currency: r.currency,
    amount: r.amount,
    threshold: r.threshold,
    monthlyLimit: r.monthlyLimit,
    softDeclines: r.softDeclines,
    nextCheckAt: r.nextCheckAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    stripeCustomerId: r.stripeCustomerId,
  };
}

/**
 * Rules, newest first, `limit` (default 50, at most 200) per page. `state` filters by one state; "off" matches
 * every disabled_* state. `cursor` is the `nextCursor` of the previous page.
 */
export async function listRules(
  db: Db,
  options: { state?: AutoTopUpState | "off"; cursor?: string; limit?: number; navixyUserId?: number } = {},
): Promise<{ rules: RuleSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const where = {
    ...(options.state === "off" ? { state: { startsWith: "disabled_" } } : options.state ? { state: options.state } : {}),
    ...(options.navixyUserId !== undefined ? { navixyUserId: options.navixyUserId } : {}),
  };
  const rows = await db.autoTopUpRule.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return { rules: page.map(summary), nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}

export interface RuleTimeline {
  rule: RuleSummary & { mandateText: string; enrolmentPaymentId: string | null; stripePaymentMethodId: string | null };
  /** Newest first. */
  events: AutoTopUpEvent[];
  /** Newest first, with the status of each charge's payment. */
  charges: (AutoTopUpCharge & { paymentStatus: string | null })[];
}

export async function ruleTimeline(db: Db, ruleId: string, options: { events?: number; charges?: number } = {}): Promise<RuleTimeline | null> {
  const rule = await db.autoTopUpRule.findUnique({ where: { id: ruleId } });
  if (!rule) return null;
  const [events, charges] = await Promise.all([
    db.autoTopUpEvent.findMany({ where: { ruleId }, orderBy: [{ at: "desc" }, { id: "desc" }], take: options.events ?? 200 }),
    db.autoTopUpCharge.findMany({ where: { ruleId }, orderBy: { createdAt: "desc" }, take: options.charges ?? 50 }),
  ]);
  const payments = await db.payment.findMany({ where: { id: { in: charges.map((c) => c.paymentId) } }, select: { id: true, status: true } });
  const status = new Map(payments.map((p) => [p.id, p.status]));
  return {
    rule: { ...summary(rule), mandateText: rule.mandateText, enrolmentPaymentId: rule.enrolmentPaymentId, stripePaymentMethodId: rule.stripePaymentMethodId },
    events,
    charges: charges.map((c) => ({ ...c, paymentStatus: status.get(c.paymentId) ?? null })),
  };
}

export type RuleChange =
  | { ok: true; before: RuleSummary; after: RuleSummary }
  | { ok: false; reason: "not_found" | "not_allowed"; message: string };

async function changeState(
  db: Db,
  ruleId: string,
  allowed: (state: string) => boolean,
  to: { state: AutoTopUpState; stateReason: string | null; nextCheckAt?: Date },
  event: { kind: string; detail: string },
): Promise<RuleChange> {
  const before = await db.autoTopUpRule.findUnique({ where: { id: ruleId } });
  if (!before) return { ok: false, reason: "not_found", message: "No such automatic top-up rule." };
  if (!allowed(before.state)) {
    return { ok: false, reason: "not_allowed", message: `Not possible while the rule is ${stateLabel(before.state).toLowerCase()}.` };
  }
  // Conditional on the state we read: a concurrent change wins and this one is refused.
  const { count } = await db.autoTopUpRule.updateMany({ where: { id: ruleId, state: before.state }, data: to });
  if (count !== 1) return { ok: false, reason: "not_allowed", message: "The rule changed meanwhile; reload and try again." };
  await db.autoTopUpEvent.create({ data: { ruleId, kind: event.kind, detail: event.detail } });
  const after = await db.autoTopUpRule.findUniqueOrThrow({ where: { id: ruleId } });
  return { ok: true, before: summary(before), after: summary(after) };
}

/** Stops charging until resumed (a top-up already in flight still completes). */
export function pauseRule(db: Db, ruleId: string, reason = "Paused by the dealer."): Promise<RuleChange> {
  return changeState(
    db,
    ruleId,
    (s) => s === "active" || s === "paused_authentication_required",
    { state: "paused", stateReason: reason },
    { kind: "paused", detail: reason },
  );
}

/** Back to active after pauseRule; the balance is checked at the next pass. */
export function resumeRule(db: Db, ruleId: string, reason = "Resumed by the dealer."): Promise<RuleChange> {
  return changeState(db, ruleId, (s) => s === "paused", { state: "active", stateReason: null, nextCheckAt: new Date() }, { kind: "resumed", detail: reason });
}

/** Turns the rule off for good (the payer can enrol again at the checkout). */
export function disableRule(db: Db, ruleId: string, reason = "Turned off by the dealer."): Promise<RuleChange> {
  return changeState(db, ruleId, (s) => !isOff(s), { state: "disabled_by_dealer", stateReason: reason }, { kind: "disabled", detail: reason });
}

/** Invalidates every manage link of the rule sent so far (e.g. one was forwarded to the wrong person). */
export async function revokeManageLinks(db: Db, ruleId: string): Promise<boolean> {
  const { count } = await db.autoTopUpRule.updateMany({ where: { id: ruleId }, data: { manageTokenVersion: { increment: 1 } } });
  if (count === 1) await db.autoTopUpEvent.create({ data: { ruleId, kind: "links_revoked", detail: "Every manage link sent so far was revoked." } });
  return count === 1;
}
