// Real payments for the webhook benchmark: a succeeded PaymentIntent in the Stripe emulator (so the worker's
// re-read of it is real), our ledger row for it as POST /api/payments leaves it (awaiting_payment, linked to
// the PaymentIntent), and the payment_intent.succeeded event the emulator recorded, sent by the benchmark
// itself (freshly signed) instead of by the emulator's deliverer.
import { createHmac } from "node:crypto";
import type Stripe from "stripe";
import type { Db } from "../../../lib/db/client";
import { newId } from "../../../lib/ids";
import { createStripeClient } from "../../../lib/stripe/client";
import { WEBHOOK_SECRET, log } from "./env";
import { pool } from "../../testing/pool";

/** A hosted dealer's webhook endpoint and signing secret (its events are sent there, signed with it). */
export interface EventDealer {
  id: string;
  slug: string;
  webhookSecret: string;
}

export interface PreparedEvent {
  paymentIntentId: string;
  paymentId: string;
  /** Exactly as Stripe's deliverer (and the emulator's) sends it: pretty JSON. */
  body: string;
  /** The hosted dealer it belongs to; absent: the environment's own dealer (/api/stripe/webhook, WEBHOOK_SECRET). */
  dealer?: EventDealer;
}

export const BENCH_USERS = [10001, 10002, 10003];
const AMOUNTS = [1000, 2500, 5000, 10000];

export function signatureHeader(body: string, secret = WEBHOOK_SECRET, at = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${at}.${body}`, "utf8").digest("hex");
  return `t=${at},v1=${v1}`;
}

/** The Stripe-Signature header for an event, signed with its dealer's secret. */
export function signatureOf(e: PreparedEvent): string {
  return signatureHeader(e.body, e.dealer?.webhookSecret ?? WEBHOOK_SECRET);
}

/** Where an event is delivered on `origin`: its dealer's endpoint, or the environment's dealer's. */
export function webhookUrl(origin: string, e: Pick<PreparedEvent, "dealer">): string {
  return `${origin}/api/stripe/webhook${e.dealer ? `/${e.dealer.slug}` : ""}`;
}

/**
 * `count` paid payments waiting for their event, of the environment's dealer or of `opts.dealer` (a hosted one,
 * whose Stripe account is the same emulator), for Navixy users `opts.users` in turn. Prepare them shortly before
 * sending their events: after SWEEP_AFTER_MS (3 minutes) the worker's sweep re-reads such a payment from Stripe and
 * credits it without its event.
 */
export async function preparePayments(db: Db, stripeUrl: string, count: number, opts: { dealer?: EventDealer; users?: readonly number[] } = {}): Promise<PreparedEvent[]> {
  const started = Date.now();
  const stripe = createStripeClient({ secretKey: "sk_test_emulator", apiUrl: stripeUrl });
  const users = opts.users ?? BENCH_USERS;
  const made: { paymentId: string; userId: number; intent: Stripe.PaymentIntent }[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const paymentId = newId("pay");
      const userId = users[i % users.length]!;
      const intent = await stripe.paymentIntents.create({
        amount: AMOUNTS[i % AMOUNTS.length]!,
        currency: "eur",
        automatic_payment_methods: { enabled: true, allow_redirects: "never" },
        capture_method: "automatic",
        confirm: true,
        payment_method: "pm_card_visa",
        description: `Navixy balance top-up for user ${userId}`,
        metadata: { navixy_user_id: String(userId), payment_id: paymentId },
      });
      if (intent.status !== "succeeded") throw new Error(`bench PaymentIntent ${intent.id} is ${intent.status}`);
      made.push({ paymentId, userId, intent });
    },
  );

  // Our ledger rows, as createPayment leaves them once the PaymentIntent exists.
  const now = Date.now();
  for (let i = 0; i < made.length; i += 500) {
    const chunk = made.slice(i, i + 500);
    await db.payment.createMany({
      data: chunk.map((m, j) => ({
        id: m.paymentId,
        ...(opts.dealer ? { dealerId: opts.dealer.id } : {}),
        navixyUserId: m.userId,
        amount: m.intent.amount,
        currency: "eur",
        status: "awaiting_payment",
        captureMethod: "automatic",
        stripePaymentIntentId: m.intent.id,
        livemode: false,
        createdAt: new Date(now - (made.length - i - j)),
      })),
    });
    await db.paymentStatusChange.createMany({
      data: chunk.flatMap((m) => [
        { ...(opts.dealer ? { dealerId: opts.dealer.id } : {}), paymentId: m.paymentId, fromStatus: null, toStatus: "created", source: "api" },
        { ...(opts.dealer ? { dealerId: opts.dealer.id } : {}), paymentId: m.paymentId, fromStatus: "created", toStatus: "awaiting_payment", source: "api" },
      ]),
    });
  }

  // The succeeded events the emulator recorded for them.
  const wanted = new Map(made.map((m) => [m.intent.id, m.paymentId]));
  const events: PreparedEvent[] = [];
  for await (const event of stripe.events.list({ type: "payment_intent.succeeded", limit: 100 })) {
    const pi = (event.data.object as { id: string }).id;
    const paymentId = wanted.get(pi);
    if (!paymentId) continue;
    wanted.delete(pi);
    events.push({ paymentIntentId: pi, paymentId, body: JSON.stringify(event, null, 2), ...(opts.dealer ? { dealer: opts.dealer } : {}) });
    if (wanted.size === 0) break;
  }
  if (wanted.size > 0) throw new Error(`${wanted.size} PaymentIntents have no payment_intent.succeeded event in the emulator`);
  // Oldest first, as a burst would arrive.
  events.reverse();
  log(`prepared ${events.length} payments (PaymentIntent + ledger row + event)${opts.dealer ? ` of ${opts.dealer.slug}` : ""} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return events;
}
