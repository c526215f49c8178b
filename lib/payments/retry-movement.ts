// A person retries a movement that failed (e.g. after topping up a balance a debit could not take).
// It goes back as "unknown": the worker looks its reference up in Navixy first, so a retry can never
// apply it twice, whatever happened before.
import type { Services } from "../server/services";
import type { MovementId } from "../ids";

export async function retryMovement(services: Pick<Services, "db" | "wakeWorker">, movementId: MovementId): Promise<{ state: string }> {
  const movement = await services.db.balanceMovement.findUnique({ where: { id: movementId } });
  if (!movement) throw new Error(`No movement ${movementId}.`);
  if (movement.state === "applied" || movement.state === "canceled") return { state: movement.state };
  if (movement.state === "sending") throw new Error(`Movement ${movementId} is being sent right now; try again in a minute.`);
  await services.db.balanceMovement.updateMany({
    where: { id: movement.id, version: movement.version },
    data: { state: "unknown", needsAttention: false, nextAttemptAt: new Date(), version: { increment: 1 } },
  });
  services.wakeWorker();
  return { state: "unknown" };
}
