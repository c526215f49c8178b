// A dealer the worker backed off because its Navixy or Stripe kept failing (lib/payments/worker/fairness.ts, recorded
// in DealerBackoff when its circuit opens or closes): the console says so on the dealer's overview and in the
// operator's dealer list, with the last failure and when a row is tried again. Nothing is lost meanwhile: every
// owed credit waits, due, and is sent once the dealer's Navixy answers.
import type { Db } from "../db/client";
import type { Services } from "../server/services";

export interface DealerBackoffView {
  dealerId: string;
  since: Date;
  /** When the worker lets one row through again to see whether it answers. */
  retryAt: Date | null;
  reason: string | null;
  failures: number;
}

const view = (row: { dealerId: string; updatedAt: Date; retryAt: Date | null; reason: string | null; failures: number }): DealerBackoffView => ({
  dealerId: row.dealerId,
  since: row.updatedAt,
  retryAt: row.retryAt,
  reason: row.reason,
  failures: row.failures,
});

/** This dealer's backoff, or null when its work is not backed off. */
export async function dealerBackoff(services: Pick<Services, "db">): Promise<DealerBackoffView | null> {
  const row = await services.db.dealerBackoff.findFirst({ where: { state: "open" } });
  return row ? view(row) : null;
}

/** Every backed-off dealer, by dealer id (the operator's list; one query however many dealers there are). */
export async function backedOffDealers(rootDb: Db): Promise<Map<string, DealerBackoffView>> {
  const rows = await rootDb.dealerBackoff.findMany({ where: { state: "open" } });
  return new Map(rows.map((r) => [r.dealerId, view(r)]));
}
