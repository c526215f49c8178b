// The console's "Needs attention" page: the list every tool shows (lib/payments/attention.ts), with what the
// page needs besides about each balance movement: Navixy's last error code (the advice for a debit refused for
// a low balance differs) and its state (a failed refund's debit is marked handled keeping it).
import { needsAttention, type AttentionItem } from "../payments/attention";
import type { Services } from "../server/services";

export interface AttentionEntry extends AttentionItem {
  /** The movement's last Navixy error code; null without a movement or an error code. */
  lastErrorCode: number | null;
  /** The movement's state; null without a movement. */
  movementState: string | null;
}

export async function attentionView(services: Services, now = new Date()): Promise<AttentionEntry[]> {
  const items = await needsAttention(services, now);
  const movementIds = items.map((i) => i.movementId).filter((x): x is string => !!x);
  const movements = await services.db.balanceMovement.findMany({
    where: { id: { in: movementIds } },
    select: { id: true, lastErrorCode: true, state: true },
  });
  const byId = new Map(movements.map((m) => [m.id, m]));
  return items.map((item) => {
    const movement = item.movementId ? byId.get(item.movementId) : undefined;
    return { ...item, lastErrorCode: movement?.lastErrorCode ?? null, movementState: movement?.state ?? null };
  });
}
