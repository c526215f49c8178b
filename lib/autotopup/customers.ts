// The Stripe Customer of a Navixy user lives with the payments (lib/payments/customers.ts): receipts use it too.
export { customerIdempotencyKey, ensureStripeCustomer } from "../payments/customers";
