// One Stripe Customer per Navixy user: it holds the card automatic top-up saves, and the language Stripe writes
// that user's receipts in. Created once: the Stripe call carries an idempotency key from the user id (a retried
// or concurrent request gets the same customer back from Stripe, so every caller must create it with the same
// parameters: anything else is set by an update), and StripeCustomer's primary key (the user id) keeps one row
// whatever happens. Automatic top-up (lib/autotopup) uses it through lib/autotopup/customers.ts.
import { isUniqueViolation } from "../db/client";
import type { Services } from "../server/services";

export function customerIdempotencyKey(navixyUserId: number): string {
  return `customer:navixy-user:${navixyUserId}`;
}

export async function ensureStripeCustomer(services: Pick<Services, "db" | "stripe">, navixyUserId: number): Promise<string> {
  const { db, stripe } = services;
  const existing = await db.stripeCustomer.findFirst({ where: { navixyUserId } });
  if (existing) return existing.stripeCustomerId;
  const customer = await stripe.customers.create(
    { description: `Navixy user ${navixyUserId}`, metadata: { navixy_user_id: String(navixyUserId) } },
    { idempotencyKey: customerIdempotencyKey(navixyUserId) },
  );
  try {
    await db.stripeCustomer.create({ data: { navixyUserId, stripeCustomerId: customer.id } });
    return customer.id;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another request stored it first: theirs is the one.
    const row = await db.stripeCustomer.findFirst({ where: { navixyUserId } });
    if (!row) throw error;
    return row.stripeCustomerId;
  }
}
