/**
 * What resource handlers get: the store, the clock, the event emitter and who
 * is calling (secret vs publishable key, request id and idempotency key, which
 * Stripe copies into each event's `request` field).
 */
import type Stripe from "stripe";
import type { Store } from "./store";

export const API_VERSION = "2026-10-28.endive";

export type KeyKind = "secret" | "publishable" | "control";

export interface Ctx {
  store: Store;
  /** Current time in ms (injectable for tests). */
  nowMs(): number;
  /** Current time in unix seconds. */
  now(): number;
  keyKind: KeyKind;
  request: { id: string | null; idempotency_key: string | null };
  /** Public base URL of the emulator (for 3DS redirect pages). */
  baseUrl: string;
  /** Record an event (snapshot of `object`) and queue its webhook deliveries. */
  emit(type: string, object: { id: string }): Stripe.Event;
}
