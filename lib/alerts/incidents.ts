// An incident's life, as a pure decision: given the live incident of a (dealer, kind, subject), if any, and whether
// its condition holds now, what happens. Seen → pending, or open at once when the kind does not wait; pending long
// enough → open (the dealer is told); open and still there → a reminder every ALERT_REMIND_AFTER, and a message
// when it got worse (more payments) at most every WORSE_AFTER_MS; gone → resolved (told) or, while still pending,
// dropped without a word. evaluate.ts carries the decision out with conditional writes.

/** A message about an incident. */
export type AlertEvent = "opened" | "reminder" | "worse" | "resolved";

export interface LiveIncident {
  state: "pending" | "open";
  firstSeenAt: Date;
  openedAt: Date | null;
  count: number;
  notifiedCount: number;
  notifiedAt: Date | null;
  remindAt: Date | null;
  summary: string;
}

export interface Condition {
  /** How many payments or items it concerns (1 for a condition of the dealer as a whole). */
  count: number;
  /** When it began, when the ledger knows (the oldest credit waiting, a login failing since). */
  since: Date | null;
  summary: string;
}

export interface IncidentRules {
  /** How long the condition must hold before it is told (0: at once). */
  waitMs: number;
  remindAfterMs: number;
  /** A worse count is told at most this often (besides the reminders). */
  worseAfterMs: number;
}

export type Decision =
  | { action: "create"; state: "pending" | "open" }
  | { action: "open" }
  | { action: "notify"; event: "reminder" | "worse" }
  | { action: "touch" }
  | { action: "none" }
  | { action: "drop" }
  | { action: "resolve" };

/** A new message is worth sending about a worse incident once this much later than the last (15 min). */
export const WORSE_AFTER_MS = 15 * 60_000;

export function decide(incident: LiveIncident | undefined, condition: Condition | undefined, now: Date, rules: IncidentRules): Decision {
  const t = now.getTime();
  if (!incident) {
    if (!condition) return { action: "none" };
    const since = condition.since?.getTime() ?? t;
    return { action: "create", state: rules.waitMs === 0 || t - since >= rules.waitMs ? "open" : "pending" };
  }
  if (!condition) return incident.state === "pending" ? { action: "drop" } : { action: "resolve" };
  if (incident.state === "pending") {
    const since = Math.min(incident.firstSeenAt.getTime(), condition.since?.getTime() ?? Infinity);
    return t - since >= rules.waitMs ? { action: "open" } : changed(incident, condition) ? { action: "touch" } : { action: "none" };
  }
  if (incident.remindAt && t >= incident.remindAt.getTime()) return { action: "notify", event: "reminder" };
  const lastTold = incident.notifiedAt?.getTime() ?? incident.openedAt?.getTime() ?? 0;
  if (condition.count > incident.notifiedCount && t - lastTold >= rules.worseAfterMs) return { action: "notify", event: "worse" };
  return changed(incident, condition) ? { action: "touch" } : { action: "none" };
}

function changed(incident: LiveIncident, condition: Condition): boolean {
  return incident.count !== condition.count || incident.summary !== condition.summary;
}

/** When the reminder after a message sent now is due. */
export function nextReminder(now: Date, rules: Pick<IncidentRules, "remindAfterMs">): Date {
  return new Date(now.getTime() + rules.remindAfterMs);
}
