// When a rule is checked next. Each rule has its own fixed offset within the interval (from its id), so
// rules enrolled at the same moment do not all fall due in the same pass.
import { createHash } from "node:crypto";

/** Up to a fifth of the interval, the same for a rule every time. */
export function jitterMs(ruleId: string, intervalMs: number): number {
  const n = createHash("sha256").update(ruleId).digest().readUInt32BE(0);
  return Math.floor((n / 0x1_0000_0000) * intervalMs * 0.2);
}

export function nextCheckAfter(ruleId: string, from: Date, intervalMs: number): Date {
  return new Date(from.getTime() + intervalMs + jitterMs(ruleId, intervalMs));
}

/** Start of the calendar month (UTC) containing `at`. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** The check window `at` falls in: one charge per rule and window at most (AutoTopUpCharge.windowKey). */
export function windowIndex(at: Date, intervalMs: number): number {
  return Math.floor(at.getTime() / intervalMs);
}
