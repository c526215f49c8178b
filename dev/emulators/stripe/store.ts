/**
 * In-memory state of the emulated Stripe account. Maps keep insertion order,
 * which is creation order; lists are served newest first as Stripe does.
 */
import type Stripe from "stripe";
import type { TestCard } from "./cards";

/** Internal bookkeeping next to each PaymentIntent (not part of the API object). */
export interface PaymentIntentRecord {
  pi: Stripe.PaymentIntent;
  /** Set while `requires_action`: what to charge once 3-D Secure is resolved. */
  pendingAuthentication?: { paymentMethodId: string; offSession: boolean };
  /** `return_url` from the latest confirmation (redirect target after 3DS). */
  returnUrl?: string;
  /** `automatic_payment_methods[enabled]=true` was passed explicitly (return_url rule applies). */
  explicitApm?: boolean;
  /** Monotonic sequence for stable newest-first ordering within one second. */
  seq: number;
}

export interface PaymentMethodRecord {
  pm: Stripe.PaymentMethod;
  card: TestCard;
}

export interface IdempotencyEntry {
  scope: string;
  key: string;
  method: string;
  path: string;
  paramsFingerprint: string;
  createdAt: number;
  requestId: string;
  /** `undefined` while the first request is still executing. */
  response?: { status: number; body: string };
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  url: string;
  /** HTTP status, or null when the request failed (network error, timeout). */
  status: number | null;
  error?: string;
  /** ms since epoch when the attempt finished. */
  at: number;
  attempt: number;
  durationMs: number;
}

export class Store {
  paymentIntents = new Map<string, PaymentIntentRecord>();
  paymentMethods = new Map<string, PaymentMethodRecord>();
  charges = new Map<string, Stripe.Charge>();
  refunds = new Map<string, Stripe.Refund>();
  events = new Map<string, Stripe.Event>();
  idempotency = new Map<string, IdempotencyEntry>();
  deliveries: DeliveryRecord[] = [];
  private seq = 0;

  nextSeq(): number {
    return ++this.seq;
  }

  reset(): void {
    this.paymentIntents.clear();
    this.paymentMethods.clear();
    this.charges.clear();
    this.refunds.clear();
    this.events.clear();
    this.idempotency.clear();
    this.deliveries = [];
  }
}

/** Deep copy for snapshots (event payloads, API responses). */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
