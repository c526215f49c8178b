// Sends one balance movement to Navixy and says what became of it. Navixy's change_balance is not
// idempotent, so the rule is: never send twice unless we know the first did not apply. When an attempt
// may have applied (timeout after sending, connection lost, a crash while it was in flight) the next
// attempt first looks our reference up in the user's Navixy transactions.
import type { BalanceMovement } from "../db/generated/sqlite/client";
import { findTransactionByReference, isNavixyApiError, isNavixyTransportError } from "../navixy";
import type { Services } from "../server/services";
import { assertNever } from "../ledger/states";

export type ApplyOutcome =
  | { result: "applied"; via: "call" | "lookup" }
  | { result: "retry"; maybeApplied: boolean; error: string; code: number | null }
  | { result: "failed"; error: string; code: number | null };

export interface CallRecord {
  method: "change_balance" | "refill" | "transaction_list";
  outcome: string;
  errorCode: number | null;
  detail: string | null;
  startedAt: Date;
  durationMs: number;
}

export async function applyMovement(
  services: Services,
  movement: BalanceMovement,
  opts: { lookupFirst: boolean },
  record: (call: CallRecord) => Promise<void>,
): Promise<ApplyOutcome> {
  if (opts.lookupFirst) {
    const found = await lookUp(services, movement, record);
    if (found !== "not_found") return found;
  }
  const method = services.config.navixy.creditMethod === "refill" && movement.kind === "credit" ? "refill" : "change_balance";
  const startedAt = new Date();
  try {
    if (method === "refill") {
      await services.navixy.refillBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, comment: movement.text });
    } else {
      await services.navixy.changeBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, text: movement.text });
    }
    await record({ method, outcome: "applied", errorCode: null, detail: null, startedAt, durationMs: Date.now() - startedAt.getTime() });
    return { result: "applied", via: "call" };
  } catch (error) {
    const outcome = classify(error);
    await record({
      method,
      outcome: outcome.result === "failed" ? "refused" : outcome.maybeApplied ? "unknown" : "error",
      errorCode: outcome.code,
      detail: outcome.error,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
    return outcome;
  }
}

async function lookUp(
  services: Services,
  movement: BalanceMovement,
  record: (call: CallRecord) => Promise<void>,
): Promise<ApplyOutcome | "not_found"> {
  const startedAt = new Date();
  const day = 24 * 3600_000;
  try {
    const transactions = await services.navixy.listTransactions({
      userId: movement.navixyUserId,
      // Navixy's time zone for these dates is not documented: a day either side covers any of them.
      from: new Date(movement.createdAt.getTime() - day),
      to: new Date(Date.now() + day),
    });
    const match = findTransactionByReference(transactions, {
      reference: movement.reference,
      sign: movement.kind === "credit" ? 1 : -1,
    });
    await record({
      method: "transaction_list",
      outcome: match ? "found" : "not_found",
      errorCode: null,
      detail: match ? `found ${match.amount} at ${match.timestamp}` : `no transaction mentions ${movement.reference}`,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
    return match ? { result: "applied", via: "lookup" } : "not_found";
  } catch (error) {
    const outcome = classify(error);
    await record({
      method: "transaction_list",
      outcome: "error",
      errorCode: outcome.code,
      detail: outcome.error,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
    // We still do not know whether the earlier call applied: stay unknown, never send blindly.
    if (outcome.result === "failed") return { result: "failed", error: `lookup refused: ${outcome.error}`, code: outcome.code };
    return { result: "retry", maybeApplied: true, error: `lookup failed: ${outcome.error}`, code: outcome.code };
  }
}

function classify(error: unknown): Exclude<ApplyOutcome, { result: "applied" }> {
  if (isNavixyTransportError(error)) {
    return { result: "retry", maybeApplied: error.maybeApplied, error: error.message, code: null };
  }
  if (isNavixyApiError(error)) {
    const message = `Navixy error ${error.code}: ${error.description}`;
    switch (error.kind) {
      case "session":
      case "transient":
        // An error envelope normally means nothing was applied; the client says when that is not certain.
        return { result: "retry", maybeApplied: error.maybeApplied, error: message, code: error.code };
      case "not_found":
      case "insufficient_funds":
      case "permanent":
        return { result: "failed", error: message, code: error.code };
      default:
        return assertNever(error.kind);
    }
  }
  return { result: "retry", maybeApplied: true, error: error instanceof Error ? error.message : String(error), code: null };
}
