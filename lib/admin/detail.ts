// One payment with everything that happened to it, as a single timeline: Stripe events received, status
// changes, balance movements and every Navixy call made for them, and console actions.
import { creditStateOf, type CreditState } from "../payments/ledger/states";
import type { Payment } from "../payments/ledger/payment-records";
import type { Services } from "../server/services";
import { isRefundReversal } from "../payments/ledger/movement-keys";

export type TimelineItem =
  | { kind: "stripe_event"; at: Date; id: string; type: string; status: string; attempts: number; lastError: string | null }
  | { kind: "status"; at: Date; from: string | null; to: string; source: string }
  | {
      kind: "movement";
      at: Date;
      id: string;
      movementKind: string;
      amount: number;
      currency: string;
      navixyAmount: string;
      state: string;
      reference: string;
      text: string;
    }
  | {
      kind: "navixy_call";
      at: Date;
      movementId: string;
      method: string;
      outcome: string;
      errorCode: number | null;
      detail: string | null;
      durationMs: number;
      text: string;
      navixyAmount: string;
    }
  | { kind: "audit"; at: Date; actor: string; action: string; comment: string | null; after: string | null };

export interface MovementView {
  id: string;
  kind: string;
  amount: number;
  currency: string;
  navixyAmount: string;
  state: string;
  needsAttention: boolean;
  attempts: number;
  lastError: string | null;
  lastErrorCode: number | null;
  reference: string;
  text: string;
  createdAt: Date;
  appliedAt: Date | null;
}

export interface PaymentDetail {
  payment: Payment;
  creditState: CreditState;
  movements: MovementView[];
  timeline: TimelineItem[];
  /** The PaymentIntent in Stripe's Dashboard; null in sandbox mode, where no Stripe account has it. */
  stripeDashboardUrl: string | null;
  /** Where the console links the PaymentIntent to: the Dashboard, or in sandbox mode the sandbox overview. */
  stripeLink: StripeLink | null;
}

export interface StripeLink {
  href: string;
  /** "dashboard": Stripe's Dashboard (a new tab); "sandbox": this app's sandbox overview, as no Stripe account has the id. */
  kind: "dashboard" | "sandbox";
}

export function stripeDashboardUrl(paymentIntentId: string, livemode: boolean): string {
  return `https://dashboard.stripe.com/${livemode ? "" : "test/"}payments/${encodeURIComponent(paymentIntentId)}`;
}

/** The sandbox's PaymentIntents live in the local emulator only: a Dashboard link would open a page Stripe does not have. */
export function stripeLinkFor(config: Pick<Services["config"], "sandbox">, paymentIntentId: string, livemode: boolean): StripeLink {
  return config.sandbox ? { href: "/sandbox", kind: "sandbox" } : { href: stripeDashboardUrl(paymentIntentId, livemode), kind: "dashboard" };
}

export async function paymentDetail(services: Services, paymentId: string): Promise<PaymentDetail | null> {
  const { db } = services;
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment) return null;
  const pi = payment.stripePaymentIntentId;
  const [events, history, movements, audits] = await Promise.all([
    db.stripeEvent.findMany({
      where: pi ? { OR: [{ paymentId }, { objectId: pi }] } : { paymentId },
      select: { id: true, type: true, status: true, attempts: true, lastError: true, receivedAt: true },
      orderBy: { receivedAt: "asc" },
      take: 500,
    }),
    db.paymentStatusChange.findMany({ where: { paymentId }, orderBy: { at: "asc" } }),
    db.balanceMovement.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" }, include: { calls: { orderBy: { startedAt: "asc" } } } }),
    db.auditLog.findMany({ where: { target: { in: [paymentId, ...(await movementIds(services, paymentId))] } }, orderBy: { at: "asc" }, take: 200 }),
  ]);
  const timeline: TimelineItem[] = [];
  for (const e of events) {
    timeline.push({ kind: "stripe_event", at: e.receivedAt, id: e.id, type: e.type, status: e.status, attempts: e.attempts, lastError: e.lastError });
  }
  for (const h of history) timeline.push({ kind: "status", at: h.at, from: h.fromStatus, to: h.toStatus, source: h.source });
  for (const m of movements) {
    timeline.push({
      kind: "movement",
      at: m.createdAt,
      id: m.id,
      movementKind: m.kind,
      amount: m.amount,
      currency: m.currency,
      navixyAmount: m.navixyAmount,
      state: m.state,
      reference: m.reference,
      text: m.text,
    });
    for (const c of m.calls) {
      timeline.push({
        kind: "navixy_call",
        at: c.startedAt,
        movementId: m.id,
        method: c.method,
        outcome: c.outcome,
        errorCode: c.errorCode,
        detail: c.detail,
        durationMs: c.durationMs,
        text: m.text,
        navixyAmount: m.navixyAmount,
      });
    }
  }
  for (const a of audits) timeline.push({ kind: "audit", at: a.at, actor: a.actor, action: a.action, comment: a.comment, after: a.after });
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
  const credit = movements.find((m) => m.kind === "credit" && !isRefundReversal(m));
  return {
    payment,
    creditState: creditStateOf(credit),
    movements: movements.map(({ calls: _calls, ...m }) => ({
      id: m.id,
      kind: m.kind,
      amount: m.amount,
      currency: m.currency,
      navixyAmount: m.navixyAmount,
      state: m.state,
      needsAttention: m.needsAttention,
      attempts: m.attempts,
      lastError: m.lastError,
      lastErrorCode: m.lastErrorCode,
      reference: m.reference,
      text: m.text,
      createdAt: m.createdAt,
      appliedAt: m.appliedAt,
    })),
    timeline,
    ...stripeLinks(services.config, pi, payment.livemode || services.config.stripe.livemode),
  };
}

function stripeLinks(config: Services["config"], pi: string | null, livemode: boolean): Pick<PaymentDetail, "stripeDashboardUrl" | "stripeLink"> {
  if (!pi) return { stripeDashboardUrl: null, stripeLink: null };
  const link = stripeLinkFor(config, pi, livemode);
  return { stripeDashboardUrl: link.kind === "dashboard" ? link.href : null, stripeLink: link };
}

async function movementIds(services: Services, paymentId: string): Promise<string[]> {
  const rows = await services.db.balanceMovement.findMany({ where: { paymentId }, select: { id: true } });
  return rows.map((r) => r.id);
}
