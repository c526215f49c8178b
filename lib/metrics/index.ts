// The process's Prometheus metrics (prom-client): one registry per process, kept on globalThis because Next.js
// evaluates modules once per bundle (instrumentation, each route, each page) and every bundle must count into the
// same one. Recording is a map lookup and an addition: no await, no database, no I/O, so the webhook route, the
// worker and the Navixy and Stripe clients call it on every request. The gauges read from the ledger are set at
// scrape time by lib/monitoring/metrics-endpoint.ts. Each instance exposes its own numbers (GET /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** How a Stripe webhook delivery ended. */
export type WebhookOutcome = "stored" | "duplicate" | "bad_signature" | "refused" | "error";
/** How one attempt at a balance movement ended: applied by the call, found applied by a lookup, refused for good,
 *  outcome unknown (looked up next time), retried (certainly not applied), or given up to another worker. */
export type MovementOutcome = "applied" | "found" | "refused" | "unknown" | "retry" | "lost";

/** The event types the gateway handles get a label of their own; any other is "other" (bounded label values). */
const EVENT_TYPES = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.amount_capturable_updated",
  "charge.refunded",
  "charge.refund.updated",
  "refund.failed",
]);

/** Seconds from a PaymentIntent's webhook to its credit at Navixy: from a second to an outage of an hour. */
const CREDIT_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
const CALL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30];
const DELIVERY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function build() {
  const registry = new Registry();
  // Event loop lag, heap, RSS, CPU, handles: prom-client's process metrics, under their usual names (process_*, nodejs_*).
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    webhooks: new Counter({ name: "gateway_webhooks_received_total", help: "Stripe webhook deliveries by dealer, event type and outcome", labelNames: ["dealer", "type", "outcome"], ...r }),
    webhookSeconds: new Histogram({ name: "gateway_webhook_handling_seconds", help: "Time to answer a Stripe webhook delivery", buckets: DELIVERY_BUCKETS, ...r }),
    movements: new Counter({ name: "gateway_balance_movements_total", help: "Attempts at Navixy balance movements by dealer, kind (credit, debit) and outcome", labelNames: ["dealer", "kind", "outcome"], ...r }),
    creditSeconds: new Histogram({ name: "gateway_webhook_to_credited_seconds", help: "From a PaymentIntent's webhook (or, when another instance received it, its credit being recorded) to the credit applied at Navixy", buckets: CREDIT_BUCKETS, ...r }),
    navixyCalls: new Counter({ name: "gateway_navixy_calls_total", help: "Navixy Panel API requests by dealer, method and outcome", labelNames: ["dealer", "method", "outcome"], ...r }),
    navixySeconds: new Histogram({ name: "gateway_navixy_call_duration_seconds", help: "Navixy Panel API request durations by method", labelNames: ["method"], buckets: CALL_BUCKETS, ...r }),
    stripeCalls: new Counter({ name: "gateway_stripe_calls_total", help: "Stripe API requests by dealer, method and outcome", labelNames: ["dealer", "method", "outcome"], ...r }),
    stripeSeconds: new Histogram({ name: "gateway_stripe_call_duration_seconds", help: "Stripe API request durations by method", labelNames: ["method"], buckets: CALL_BUCKETS, ...r }),
    paymentsCreated: new Counter({ name: "gateway_payments_created_total", help: "Payments created (a PaymentIntent made for them) by dealer", labelNames: ["dealer"], ...r }),
    rateLimited: new Counter({ name: "gateway_rate_limit_refusals_total", help: "Requests refused by a rate limit, by dealer and limit", labelNames: ["dealer", "limit"], ...r }),
    alertsSent: new Counter({ name: "gateway_alert_messages_total", help: "Alert messages to dealers by channel and outcome (sent, failed)", labelNames: ["dealer", "channel", "outcome"], ...r }),
    // Read from the ledger at scrape time (the deployment's, the same on every instance: aggregate with max, not sum).
    movementsOwed: new Gauge({ name: "gateway_movements_owed", help: "Balance movements owed to Navixy (pending, being sent, outcome unknown) by dealer and kind", labelNames: ["dealer", "kind"], ...r }),
    movementsOwedAge: new Gauge({ name: "gateway_movements_owed_oldest_age_seconds", help: "Age of the oldest balance movement owed to Navixy, by dealer", labelNames: ["dealer"], ...r }),
    eventsWaiting: new Gauge({ name: "gateway_events_waiting", help: "Stored Stripe events not processed yet, by dealer", labelNames: ["dealer"], ...r }),
    eventsWaitingAge: new Gauge({ name: "gateway_events_waiting_oldest_age_seconds", help: "Age of the oldest stored Stripe event not processed yet, by dealer", labelNames: ["dealer"], ...r }),
    attention: new Gauge({ name: "gateway_attention_items", help: "Items needing a person, by dealer and kind", labelNames: ["dealer", "kind"], ...r }),
    backedOff: new Gauge({ name: "gateway_dealer_backed_off", help: "1 for each dealer whose work is backed off because its Navixy or Stripe keeps failing", labelNames: ["dealer"], ...r }),
    alertsOpen: new Gauge({ name: "gateway_alerts_open", help: "Open alert incidents by dealer and kind", labelNames: ["dealer", "kind"], ...r }),
    alertDeliveriesWaiting: new Gauge({ name: "gateway_alert_deliveries_waiting", help: "Alert messages waiting to be sent (due or retrying), all dealers", ...r }),
    workerSeenAge: new Gauge({ name: "gateway_worker_last_seen_seconds", help: "Seconds since any worker of the deployment last wrote its heartbeat", ...r }),
    workerHere: new Gauge({ name: "gateway_worker_running", help: "1 when this process runs a worker", ...r }),
    ledgerUp: new Gauge({ name: "gateway_ledger_up", help: "1 when the ledger's gauges could be read at this scrape", ...r }),
  };
}

export type GatewayMetrics = ReturnType<typeof build>;

interface MetricsState {
  metrics?: GatewayMetrics;
  perDealer: boolean;
  /** PaymentIntent id → when its webhook arrived (bounded): the start of webhook-to-credited. */
  webhookAt: Map<string, number>;
}

const state: MetricsState = ((globalThis as { __gatewayMetrics?: MetricsState }).__gatewayMetrics ??= { perDealer: true, webhookAt: new Map() });

const WEBHOOK_AT_MAX = 10_000;

/** The process's metrics, built on first use. */
export function gatewayMetrics(): GatewayMetrics {
  return (state.metrics ??= build());
}

/** METRICS_PER_DEALER: a label per dealer, or every dealer under "all" (a deployment of very many dealers). */
export function configureMetrics(options: { perDealer: boolean }): void {
  state.perDealer = options.perDealer;
}

/** The `dealer` label of a dealer's slug. */
export function dealerLabel(slug: string): string {
  return state.perDealer ? slug : "all";
}

// Recording must never fail what it measures.
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* a metric is not worth a failed payment */
  }
}

export function countWebhook(dealerSlug: string, type: string | null, outcome: WebhookOutcome): void {
  safely(() => gatewayMetrics().webhooks.inc({ dealer: dealerLabel(dealerSlug), type: type === null ? "unknown" : EVENT_TYPES.has(type) ? type : "other", outcome }));
}

export function observeWebhookHandling(seconds: number): void {
  safely(() => gatewayMetrics().webhookSeconds.observe(seconds));
}

/** A PaymentIntent's webhook was taken in at `at` (the first one counts): webhook-to-credited starts there. */
export function noteWebhookFor(paymentIntentId: string | null, at: Date): void {
  if (!paymentIntentId || !paymentIntentId.startsWith("pi_") || state.webhookAt.has(paymentIntentId)) return;
  if (state.webhookAt.size >= WEBHOOK_AT_MAX) {
    // The oldest entry goes (a Map iterates in insertion order): a credit that never came is not kept forever.
    const first = state.webhookAt.keys().next().value;
    if (first !== undefined) state.webhookAt.delete(first);
  }
  state.webhookAt.set(paymentIntentId, at.getTime());
}

/**
 * One attempt at a balance movement ended. A credit applied is also timed from its PaymentIntent's webhook when this
 * process saw it, else from when the credit was recorded (`createdAt`).
 */
export function countMovement(
  dealerSlug: string,
  movement: { kind: string; reference: string; createdAt: Date },
  outcome: MovementOutcome,
  now = Date.now(),
): void {
  safely(() => {
    const m = gatewayMetrics();
    m.movements.inc({ dealer: dealerLabel(dealerSlug), kind: movement.kind, outcome });
    if (movement.kind === "credit" && (outcome === "applied" || outcome === "found")) {
      const from = state.webhookAt.get(movement.reference) ?? movement.createdAt.getTime();
      state.webhookAt.delete(movement.reference);
      m.creditSeconds.observe(Math.max(0, now - from) / 1000);
    }
  });
}

export function countNavixyCall(dealerSlug: string, method: string, outcome: string, durationMs: number | undefined): void {
  safely(() => {
    const m = gatewayMetrics();
    m.navixyCalls.inc({ dealer: dealerLabel(dealerSlug), method, outcome });
    if (durationMs !== undefined) m.navixySeconds.observe({ method }, durationMs / 1000);
  });
}

export function countStripeCall(dealerSlug: string, method: string, outcome: string, durationMs: number): void {
  safely(() => {
    const m = gatewayMetrics();
    m.stripeCalls.inc({ dealer: dealerLabel(dealerSlug), method, outcome });
    m.stripeSeconds.observe({ method }, durationMs / 1000);
  });
}

export function countPaymentCreated(dealerSlug: string): void {
  safely(() => gatewayMetrics().paymentsCreated.inc({ dealer: dealerLabel(dealerSlug) }));
}

/** `limit`: payments_per_ip, payments_per_user, auto_top_up_per_ip, admin_login. */
export function countRateLimited(dealerSlug: string, limit: string): void {
  safely(() => gatewayMetrics().rateLimited.inc({ dealer: dealerLabel(dealerSlug), limit }));
}

export function countAlertMessage(dealerSlug: string, channel: string, outcome: "sent" | "failed"): void {
  safely(() => gatewayMetrics().alertsSent.inc({ dealer: dealerLabel(dealerSlug), channel, outcome }));
}

/** The text exposition of every metric of this process (Prometheus text format 0.0.4). */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = gatewayMetrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
