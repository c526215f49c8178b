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

export interface PreparedEvent {
  paymentIntentId: string;
  paymentId: string;
  /** Exactly as Stripe's deliverer (and the emulator's) sends it: pretty JSON. */
  body: string;
}

export const BENCH_USERS = [10001, 10002, 10003];
const AMOUNTS = [1000, 2500, 5000, 10000];

export function signatureHeader(body: string, at = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${at}.${body}`, "utf8").digest("hex");
  return `t=${at},v1=${v1}`;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function preparePayments(db: Db, stripeUrl: string, count: number): Promise<PreparedEvent[]> {
  const started = Date.now();
  const stripe = createStripeClient({ secretKey: "sk_test_emulator", apiUrl: stripeUrl });
  const made: { paymentId: string; userId: number; intent: Stripe.PaymentIntent }[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const paymentId = newId("pay");
      const userId = BENCH_USERS[i % BENCH_USERS.length]!;
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
        { paymentId: m.paymentId, fromStatus: null, toStatus: "created", source: "api" },
        { paymentId: m.paymentId, fromStatus: "created", toStatus: "awaiting_payment", source: "api" },
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
    events.push({ paymentIntentId: pi, paymentId, body: JSON.stringify(event, null, 2) });
    if (wanted.size === 0) break;
  }
  if (wanted.size > 0) throw new Error(`${wanted.size} PaymentIntents have no payment_intent.succeeded event in the emulator`);
  // Oldest first, as a burst would arrive.
  events.reverse();
  log(`prepared ${events.length} payments (PaymentIntent + ledger row + event) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return events;
}
