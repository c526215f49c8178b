// One deployment serves many dealers; every ledger row carries its dealer's id. A dealer's services get this view of
// the database, which adds `dealerId` to every query of a dealer's model: the WHERE of every read, update, delete and
// count, and the data of every create. So no use case, page, export or worker claim of one dealer can see or touch
// another's rows, whatever it forgets; a write naming another dealer is refused. Only the dealer directory and the
// operator's views use the unscoped client. Raw SQL is not covered: the one raw INSERT (the webhook's) names its
// dealer itself.
import type { Db } from "./client";

/** The environment's own dealer (the single-dealer setup); every row written before multi-dealer hosting is its. */
export const DEFAULT_DEALER_ID = "default";

/** The models whose rows belong to one dealer. */
export const DEALER_MODELS = new Set([
  "Payment",
  "PaymentStatusChange",
  "StripeEvent",
  "BalanceMovement",
  "NavixyCall",
  "AuditLog",
  "AutoTopUpRule",
  "AutoTopUpEvent",
  "AutoTopUpCharge",
  "StripeCustomer",
  "DealerBackoff",
  "DealerTask",
  "ReconciliationRun",
  "ReconciliationEntry",
  "PayerTerm",
  "DealerSignal",
  "AlertIncident",
  "AlertDelivery",
]);

export class CrossDealerWriteError extends Error {
  constructor(model: string, dealerId: string, asked: unknown) {
    super(`${model}: a query of dealer ${dealerId} named dealer ${String(asked)}`);
    this.name = "CrossDealerWriteError";
  }
}

type Args = Record<string, unknown>;

function own(model: string, dealerId: string, data: unknown): Args {
  const row = (data ?? {}) as Args;
  if (row.dealerId !== undefined && row.dealerId !== dealerId) throw new CrossDealerWriteError(model, dealerId, row.dealerId);
  return { ...row, dealerId };
}

function scopedWhere(model: string, dealerId: string, where: unknown): Args {
  return own(model, dealerId, where);
}

/** Data of an update: it may not move a row to another dealer. */
function checkedUpdate(model: string, dealerId: string, data: unknown): unknown {
  const row = data as Args | undefined;
  if (row && row.dealerId !== undefined && row.dealerId !== dealerId) throw new CrossDealerWriteError(model, dealerId, row.dealerId);
  return data;
}

export function scopeArgs(model: string, operation: string, args: Args | undefined, dealerId: string): Args {
  const a: Args = { ...(args ?? {}) };
  switch (operation) {
    case "create":
      a.data = own(model, dealerId, a.data);
      return a;
    case "createMany":
    case "createManyAndReturn":
      a.data = Array.isArray(a.data) ? a.data.map((d) => own(model, dealerId, d)) : own(model, dealerId, a.data);
      return a;
    case "upsert":
      a.where = scopedWhere(model, dealerId, a.where);
      a.create = own(model, dealerId, a.create);
      a.update = checkedUpdate(model, dealerId, a.update);
      return a;
    case "update":
    case "updateMany":
    case "updateManyAndReturn":
      a.where = scopedWhere(model, dealerId, a.where);
      a.data = checkedUpdate(model, dealerId, a.data);
      return a;
    default:
      // findUnique(OrThrow), findFirst(OrThrow), findMany, delete(Many), count, aggregate, groupBy
      a.where = scopedWhere(model, dealerId, a.where);
      return a;
  }
}

/** The database as one dealer sees it. */
export function scopeToDealer(db: Db, dealerId: string): Db {
  return db.$extends({
    name: `dealer:${dealerId}`,
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          if (!DEALER_MODELS.has(model)) return query(args);
          return query(scopeArgs(model, operation, args as Args, dealerId) as typeof args);
        },
      },
    },
  }) as unknown as Db;
}
