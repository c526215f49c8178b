/**
 * Receipts by e-mail, as Stripe sends them (in live mode; the emulator records what it would send):
 *
 * - a charge with a `receipt_email` gets a receipt once it is paid and captured: from the PaymentIntent's
 *   `receipt_email` at payment, or at capture for a manual capture;
 * - setting a different `receipt_email` on a paid charge (`POST /v1/charges/:id`), or on its succeeded
 *   PaymentIntent, sends another receipt to the new address ("If this field is updated, then a new email receipt
 *   will be sent to the updated address"); the same address again sends nothing;
 * - the receipt is written in the first of the charge's Customer's `preferred_locales`, if any.
 * Addresses are checked as Stripe does (400 `email_invalid`).
 *
 * `sentReceipts()` on the emulator, or `GET /_emulator/receipts`, lists them.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import type { ParamObject } from "./form";
import { applyMetadata, assertAllowed, expandParam, optString } from "./params";
import { customerById } from "./customers";
import type { Store } from "./store";

export interface SentReceipt {
  charge: string;
  paymentIntent: string | null;
  email: string;
  /** The Customer's first preferred locale, or null (the account's language). */
  locale: string | null;
  amount: number;
  currency: string;
  /** Unix seconds. */
  created: number;
}

interface ReceiptState {
  sent: SentReceipt[];
  /** The address each charge's latest receipt went to. */
  lastTo: Map<string, string>;
}

const stateByStore = new WeakMap<Store, ReceiptState>();

function state(store: Store): ReceiptState {
  let s = stateByStore.get(store);
  if (!s) stateByStore.set(store, (s = { sent: [], lastTo: new Map() }));
  return s;
}

export function sentReceipts(store: Store): SentReceipt[] {
  return state(store).sent.map((r) => ({ ...r }));
}

export function resetReceipts(store: Store): void {
  stateByStore.delete(store);
}

/** Stripe's check of an e-mail parameter; "" → null (clears it). */
export function readEmail(params: ParamObject, name: string): string | null | undefined {
  const v = optString(params, name);
  if (v === undefined) return undefined;
  if (v === "") return null;
  if (v.length > 800 || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(v)) {
    throw invalidRequest(`Invalid email address: ${v}`, { param: name, code: "email_invalid" });
  }
  return v;
}

/** Sends the charge's receipt if it is paid, captured, has an address, and that address has not had it yet. */
export function sendReceiptIfDue(ctx: Ctx, charge: Stripe.Charge): void {
  const email = charge.receipt_email;
  if (!email || charge.status !== "succeeded" || !charge.captured) return;
  const s = state(ctx.store);
  if (s.lastTo.get(charge.id) === email) return;
  s.lastTo.set(charge.id, email);
  const customerId = typeof charge.customer === "string" ? charge.customer : (charge.customer?.id ?? null);
  const customer = customerId ? customerById(ctx.store, customerId) : undefined;
  s.sent.push({
    charge: charge.id,
    paymentIntent: typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    email,
    locale: customer?.preferred_locales?.[0] ?? null,
    amount: charge.amount_captured,
    currency: charge.currency,
    created: ctx.now(),
  });
  // Stripe numbers each receipt it sends.
  charge.receipt_number = `${1000 + s.sent.length}-${String(s.sent.length).padStart(4, "0")}`;
}

/** `POST /v1/charges/:id`: description, metadata and receipt_email (a new address on a paid charge sends a receipt). */
export function updateCharge(ctx: Ctx, charge: Stripe.Charge, params: ParamObject): Stripe.Charge {
  assertAllowed(params, ["description", "metadata", "receipt_email", "expand"]);
  expandParam(params, []);
  const email = readEmail(params, "receipt_email");
  const metadata = applyMetadata(params, charge.metadata);
  if (params["description"] !== undefined) charge.description = optString(params, "description") || null;
  if (metadata) charge.metadata = metadata;
  if (email !== undefined) charge.receipt_email = email;
  sendReceiptIfDue(ctx, charge);
  ctx.emit("charge.updated", charge);
  return charge;
}
