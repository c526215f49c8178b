// Where other features plug into the money's path. The payments slice calls these hooks and never imports
// the features behind them; they are registered where the process is put together (lib/server/services.ts).
// Today one feature uses them: automatic top-up (lib/autotopup/payment-hooks.ts).
import type Stripe from "stripe";
import type { Config } from "../config";
import type { Tx } from "../db/client";
import type { Services } from "../server/services";
import type { Payment } from "./ledger/payment-records";

/** What an opt-in adds to the PaymentIntent it rides on. */
export interface OptInIntent {
  metadata: Record<string, string>;
  intentParams: Partial<Stripe.PaymentIntentCreateParams>;
}

/** What an opt-in may use (Navixy: the dealer's name, which the automatic top-up mandate carries). */
export type OptInDeps = Pick<Services, "config" | "db" | "stripe" | "navixy">;

/** An opt-in the payer may send with POST /api/payments: checked before anything is written. */
export interface CheckoutOptIn {
  /** Validates the request's field and prepares what it needs; throws an HttpError (4xx) for bad input. */
  prepare(services: OptInDeps, args: { navixyUserId: number; currency: string; input: unknown }): Promise<unknown>;
  /** Once the payment row exists: records the opt-in and says what its PaymentIntent must carry. */
  record(services: OptInDeps, prepared: unknown, payment: Payment): Promise<OptInIntent>;
}

export interface PaymentHooks {
  /**
   * Whether afterPaymentSync has anything to do for this PaymentIntent. Only then is it called, and the sync's
   * transaction is Prisma's, with its models; most syncs run on plain statements (sync-payment-intent.ts).
   */
  syncConcerns(intent: Stripe.PaymentIntent): boolean;
  /** In the sync's ledger transaction, after the payment moved along its states. */
  afterPaymentSync(tx: Tx, config: Config, payment: Payment, intent: Stripe.PaymentIntent): Promise<void>;
  /** The `autoTopUp` field of POST /api/payments; absent where no feature takes it. */
  autoTopUp?: CheckoutOptIn;
}

/** No feature plugged in. */
export const NO_PAYMENT_HOOKS: PaymentHooks = { syncConcerns: () => false, afterPaymentSync: async () => {} };
