// One Stripe Customer per Navixy user, holding the saved card. Created once: the Stripe call carries an
// idempotency key from the user id (a retried or concurrent enrolment gets the same customer back from Stripe),
// and StripeCustomer's primary key (the user id) keeps one row whatever happens.
import { isUniqueViolation } from "../db/client";
import type { Services } from "../server/services";

export function customerIdempotencyKey(navixyUserId: number): string {
  return `customer:navixy-user:${navixyUserId}`;
}

export async function ensureStripeCustomer(services: Pick<Services, "db" | "stripe">, navixyUserId: number): Promise<string> {
  const { db, stripe } = services;
  const existing = await db.stripeCustomer.findUnique({ where: { navixyUserId } });
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
    const row = await db.stripeCustomer.findUnique({ where: { navixyUserId } });
    if (!row) throw error;
    return row.stripeCustomerId;
  }
}
