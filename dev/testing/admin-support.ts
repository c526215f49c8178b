// Helpers for the console's integration tests (not used by the app).
import { expect } from "vitest";
import { waitFor, type Gateway } from "./harness";
import { newId } from "../../lib/ids";
import type { Actor } from "../../lib/admin/audit";
import { decodeFlash, type ConsoleFlash } from "../../lib/admin/console-flash";

export const ADMIN_PASSWORD = "correct horse battery staple";
export const WHO: Actor = { actor: "admin:testtest", ip: "203.0.113.9" };

/** A payment paid by card through the emulators; resolves once Stripe has taken the money. */
export async function pay(gw: Gateway, userId: number, amount: number, paymentMethod = "pm_card_visa"): Promise<{ paymentId: string; piId: string }> {
  const res = await gw.request("POST", "/api/payments", { userId, amount });
  expect(res.status, res.text).toBe(201);
  const piId = (res.body.clientSecret as string).split("_secret_")[0]!;
  await gw.confirmAsPayer(piId, res.body.clientSecret, paymentMethod);
  return { paymentId: res.body.paymentId as string, piId };
}

export async function creditOf(gw: Gateway, paymentId: string) {
  return gw.services.db.balanceMovement.findFirst({ where: { paymentId, kind: "credit" } });
}

export async function waitForCredit(gw: Gateway, paymentId: string, state: string | ((m: { state: string; needsAttention: boolean }) => boolean)) {
  const ok = typeof state === "string" ? (m: { state: string }) => m.state === state : state;
  return waitFor(async () => {
    const m = await creditOf(gw, paymentId);
    return m && ok(m) ? m : null;
  }, { what: `credit of ${paymentId}` });
}

export interface SeedRow {
  id: string;
  navixyUserId: number;
  amount: number;
  currency: string;
  status: string;
  createdAt: Date;
  stripePaymentIntentId: string | null;
  amountReceived: number;
}

/** Payments written straight into the ledger (no Stripe), in chunks. */
export async function seedPayments(gw: Gateway, rows: SeedRow[], chunk = 2000): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await gw.services.db.payment.createMany({ data: rows.slice(i, i + chunk).map((r) => ({ ...r, updatedAt: r.createdAt })) });
  }
}

export function seedRow(i: number, base: Date, overrides: Partial<SeedRow> = {}): SeedRow {
  const statuses = ["succeeded", "failed", "awaiting_payment", "refunded", "canceled"];
  const status = statuses[i % statuses.length]!;
  return {
    id: newId("pay"),
    navixyUserId: 50_000 + (i % 97),
    amount: 500 + (i % 50) * 100,
    currency: "eur",
    status,
    // Several rows share a timestamp on purpose: the cursor must break ties by id.
    createdAt: new Date(base.getTime() - Math.floor(i / 3) * 1000),
    stripePaymentIntentId: `pi_seed${String(i).padStart(8, "0")}`,
    amountReceived: status === "succeeded" || status === "refunded" ? 500 + (i % 50) * 100 : 0,
    ...overrides,
  };
}

/** The notice or error a console form left for the session's next page (not taken). */
export async function pendingFlash(gw: Gateway, sessionId: string): Promise<ConsoleFlash | null> {
  const row = await gw.services.rootDb.adminSession.findUnique({ where: { id: sessionId }, select: { flash: true } });
  return decodeFlash(row?.flash);
}
