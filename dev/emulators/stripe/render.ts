/**
 * Turning stored objects into API responses: deep copies with `expand[]`
 * applied (dot paths up to 4 levels, as Stripe allows), list envelopes and the
 * reduced PaymentIntent that publishable-key callers (Stripe.js) get.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import { snapshot, type Store } from "./store";

type Kind = "payment_intent" | "charge" | "refund" | "payment_method" | "event";

/** Which fields of each object can be expanded, and into what. */
const EXPANDABLE: Record<Kind, Record<string, Kind | null>> = {
  payment_intent: { latest_charge: "charge", payment_method: "payment_method" },
  charge: { payment_intent: "payment_intent", refunds: null },
  refund: { charge: "charge", payment_intent: "payment_intent" },
  payment_method: {},
  event: {},
};

/** Throws Stripe's error for paths that cannot be expanded. `list` allows `data.` prefixes. */
export function validateExpand(expand: readonly string[], kind: Kind, list = false): void {
  for (const path of expand) {
    let segments = path.split(".");
    if (list) {
      if (segments[0] !== "data") throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
      segments = segments.slice(1);
    }
    if (segments.length === 0 || segments.length > 4) {
      throw invalidRequest(`This property cannot be expanded (${path}). You may only expand up to 4 levels deep.`, { param: "expand" });
    }
    let current: Kind | null = kind;
    for (const seg of segments) {
      const next: Kind | null | undefined = current ? EXPANDABLE[current][seg] : undefined;
      if (next === undefined) throw invalidRequest(`This property cannot be expanded (${seg}).`, { param: "expand" });
      current = next;
    }
  }
}

function sub(expand: readonly string[], field: string): string[] | undefined {
  let hit = false;
  const rest: string[] = [];
  for (const p of expand) {
    if (p === field) hit = true;
    else if (p.startsWith(`${field}.`)) {
      hit = true;
      rest.push(p.slice(field.length + 1));
    }
  }
  return hit ? rest : undefined;
}

export function renderCharge(store: Store, charge: Stripe.Charge, expand: readonly string[] = []): Stripe.Charge {
  const out = snapshot(charge);
  const piExpand = sub(expand, "payment_intent");
  if (piExpand && typeof charge.payment_intent === "string") {
    const rec = store.paymentIntents.get(charge.payment_intent);
    if (rec) out.payment_intent = renderPaymentIntent(store, rec.pi, piExpand);
  }
  // Since API version 2022-11-15 `refunds` is only present when expanded.
  if (sub(expand, "refunds")) {
    const data = [...store.refunds.values()].filter((r) => r.charge === charge.id).reverse().map((r) => snapshot(r));
    out.refunds = { object: "list", data, has_more: false, url: `/v1/charges/${charge.id}/refunds` } as Stripe.ApiList<Stripe.Refund>;
    (out.refunds as unknown as { total_count: number }).total_count = data.length;
  }
  return out;
}

export function renderPaymentIntent(store: Store, pi: Stripe.PaymentIntent, expand: readonly string[] = []): Stripe.PaymentIntent {
  const out = snapshot(pi);
  const chExpand = sub(expand, "latest_charge");
  if (chExpand && typeof pi.latest_charge === "string") {
    const ch = store.charges.get(pi.latest_charge);
    if (ch) out.latest_charge = renderCharge(store, ch, chExpand);
  }
  if (sub(expand, "payment_method") && typeof pi.payment_method === "string") {
    const pm = store.paymentMethods.get(pi.payment_method);
    if (pm) out.payment_method = snapshot(pm.pm);
  }
  return out;
}

export function renderRefund(store: Store, refund: Stripe.Refund, expand: readonly string[] = []): Stripe.Refund {
  const out = snapshot(refund);
  const chExpand = sub(expand, "charge");
  if (chExpand && typeof refund.charge === "string") {
    const ch = store.charges.get(refund.charge);
    if (ch) out.charge = renderCharge(store, ch, chExpand);
  }
  const piExpand = sub(expand, "payment_intent");
  if (piExpand && typeof refund.payment_intent === "string") {
    const rec = store.paymentIntents.get(refund.payment_intent);
    if (rec) out.payment_intent = renderPaymentIntent(store, rec.pi, piExpand);
  }
  return out;
}

/**
 * Fields Stripe returns when a PaymentIntent is retrieved or confirmed with a
 * publishable key and its client_secret (no metadata, customer, amounts received...).
 */
const PUBLISHABLE_PI_FIELDS = [
  "id",
  "object",
  "amount",
  "amount_details",
  "automatic_payment_methods",
  "canceled_at",
  "cancellation_reason",
  "capture_method",
  "client_secret",
  "confirmation_method",
  "created",
  "currency",
  "description",
  "excluded_payment_method_types",
  "last_payment_error",
  "livemode",
  "next_action",
  "payment_method",
  "payment_method_configuration_details",
  "payment_method_types",
  "processing",
  "receipt_email",
  "setup_future_usage",
  "shipping",
  "source",
  "status",
] as const;

export function publishableView(pi: Stripe.PaymentIntent): Partial<Stripe.PaymentIntent> {
  const out: Record<string, unknown> = {};
  for (const k of PUBLISHABLE_PI_FIELDS) out[k] = snapshot(pi[k]);
  return out as Partial<Stripe.PaymentIntent>;
}

/** The PaymentIntent as the current caller may see it. */
export function piForCaller(ctx: Ctx, pi: Stripe.PaymentIntent, expand: readonly string[] = []): Stripe.PaymentIntent {
  if (ctx.keyKind === "publishable") return publishableView(pi) as Stripe.PaymentIntent;
  return renderPaymentIntent(ctx.store, pi, expand);
}

export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Cursor pagination over items sorted newest first: `starting_after` returns
 * older items, `ending_before` newer ones (still newest first).
 */
export function paginate<T extends { id: string }>(
  items: T[],
  opts: { limit: number; startingAfter?: string; endingBefore?: string },
  url: string,
  notFound: (id: string) => Error,
): ListPage<T> {
  if (opts.startingAfter) {
    const i = items.findIndex((x) => x.id === opts.startingAfter);
    if (i < 0) throw notFound(opts.startingAfter);
    const rest = items.slice(i + 1);
    return { object: "list", data: rest.slice(0, opts.limit), has_more: rest.length > opts.limit, url };
  }
  if (opts.endingBefore) {
    const i = items.findIndex((x) => x.id === opts.endingBefore);
    if (i < 0) throw notFound(opts.endingBefore);
    const before = items.slice(0, i);
    const data = before.slice(Math.max(0, before.length - opts.limit));
    return { object: "list", data, has_more: before.length > opts.limit, url };
  }
  return { object: "list", data: items.slice(0, opts.limit), has_more: items.length > opts.limit, url };
}
