// Claiming ledger rows. A claim is a conditional update on the row's version: of several workers that saw
// the same row, exactly one update matches. The claim then holds a lease that a heartbeat renews while the
// row is worked on (lease.ts), so any number of workers, in app instances or alone, can share one database.
import type { Services } from "../../server/services";
import type { Logger } from "../../logging/logger";
import { Lease } from "./lease";
import { updateHeldEvent, updateHeldMovement, type Held } from "./ledger-sql";

/** A row found due, not yet claimed. */
export type Candidate = { id: string; version: number };

/** Clears the lease when a worker is done with a row. */
export const RELEASED = { leaseOwner: null, leaseUntil: null };

/** Who is claiming, for how long, for which dealer, and where it logs. */
export interface Claimant {
  /** The services of the row's dealer: its database view, Stripe and Navixy clients, settings. */
  services: Services;
  /** The worker's id, written as leaseOwner. */
  id: string;
  leaseMs: number;
  log: Logger;
}

/** What a claim writes; the caller's WHERE names the version it read. */
export function claimFields(claimant: Claimant) {
  return {
    version: { increment: 1 },
    leaseOwner: claimant.id,
    leaseUntil: new Date(Date.now() + claimant.leaseMs),
    attempts: { increment: 1 },
  };
}

/** The dealer whose rows the claimant works (its services' dealer). */
export function dealerOf(claimant: Claimant): string {
  return claimant.services.dealer.id;
}

/** The lease on a row just claimed, with its heartbeat running: `stop()` it when done. */
export function leaseOn(claimant: Claimant, model: "stripeEvent" | "balanceMovement", row: { id: string; version: number }): Lease {
  const { sql } = claimant.services;
  const dealerId = dealerOf(claimant);
  const renew = (where: Held, leaseUntil: Date) =>
    model === "stripeEvent"
      ? updateHeldEvent(sql, dealerId, where, { leaseUntil }, "processing")
      : updateHeldMovement(sql, dealerId, where, { leaseUntil }, "sending");
  const lease = new Lease(renew, { id: row.id, leaseOwner: claimant.id, version: row.version }, claimant.leaseMs, (lost) =>
    claimant.log.warn({ [model === "stripeEvent" ? "eventId" : "movementId"]: lost.id }, "claim lost to another worker"),
  );
  lease.startHeartbeat();
  return lease;
}
