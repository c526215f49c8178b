// What needs a person: movements that failed or keep failing, authorizations waiting for capture, and
// authorizations close to the 7 days after which Stripe voids them. Shown by `npm run payments --
// attention` and the dealer console.
import type { Services } from "../server/services";

const AUTHORIZATION_LIFETIME_MS = 7 * 86_400_000;
const EXPIRY_WARNING_MS = 86_400_000;

export interface AttentionItem {
  kind: "movement_failed" | "movement_stuck" | "authorization_waiting" | "authorization_expiring";
  paymentId: string;
  movementId?: string;
  amount: number;
  currency: string;
  reason: string;
  action: string;
}

export async function needsAttention(services: Services, now = new Date()): Promise<AttentionItem[]> {
  const { db } = services;
  const items: AttentionItem[] = [];
  const movements = await db.balanceMovement.findMany({
    where: { needsAttention: true, state: { not: "applied" } },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  for (const m of movements) {
    const failed = m.state === "failed";
    items.push({
      kind: failed ? "movement_failed" : "movement_stuck",
      paymentId: m.paymentId,
      movementId: m.id,
      amount: m.amount,
      currency: m.currency,
      reason: `${m.kind} of ${m.navixyAmount} for Navixy user ${m.navixyUserId}: ${m.lastError ?? "no answer yet"}`,
      action: failed
        ? m.lastErrorCode === 251
          ? `the user's balance is too low for the debit: retry when it allows (npm run payments -- retry ${m.id})`
          : `fix the cause in Navixy, then retry (npm run payments -- retry ${m.id})`
        : "retried automatically with backoff; check that Navixy is reachable",
    });
  }
  const authorized = await db.payment.findMany({ where: { status: "authorized" }, orderBy: { authorizedAt: "asc" }, take: 500 });
  for (const p of authorized) {
    const expiresAt = (p.authorizedAt ?? p.updatedAt).getTime() + AUTHORIZATION_LIFETIME_MS;
    const expiring = expiresAt - now.getTime() < EXPIRY_WARNING_MS;
    items.push({
      kind: expiring ? "authorization_expiring" : "authorization_waiting",
      paymentId: p.id,
      amount: p.amountCapturable,
      currency: p.currency,
      reason: expiring
        ? `authorization expires ${new Date(expiresAt).toISOString()}: Stripe voids it after 7 days`
        : "authorized, waiting for capture",
      action: `npm run payments -- capture ${p.id} [amount]  or  npm run payments -- cancel ${p.id}`,
    });
  }
  return items;
}
