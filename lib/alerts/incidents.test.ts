import { describe, expect, test } from "vitest";
import { decide, type Condition, type IncidentRules, type LiveIncident } from "./incidents";

const T0 = new Date("2026-12-08T03:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const RULES: IncidentRules = { waitMs: 5 * 60_000, remindAfterMs: 4 * 3_600_000, worseAfterMs: 15 * 60_000 };
const NOW_RULES: IncidentRules = { ...RULES, waitMs: 0 };

const condition = (count = 1, since: Date | null = null, summary = "s"): Condition => ({ count, since, summary });
const open = (over: Partial<LiveIncident> = {}): LiveIncident => ({
  state: "open",
  firstSeenAt: T0,
  openedAt: T0,
  count: 1,
  notifiedCount: 1,
  notifiedAt: T0,
  remindAt: at(240),
  summary: "s",
  ...over,
});

describe("an incident's life", () => {
  test("a kind that does not wait opens at once; one that waits is pending until it has held long enough", () => {
    expect(decide(undefined, condition(), T0, NOW_RULES)).toEqual({ action: "create", state: "open" });
    expect(decide(undefined, condition(), T0, RULES)).toEqual({ action: "create", state: "pending" });
    // The ledger knows it began 6 minutes ago (a login failing since then): open at once.
    expect(decide(undefined, condition(1, at(-6)), T0, RULES)).toEqual({ action: "create", state: "open" });
    const pending: LiveIncident = { ...open(), state: "pending", openedAt: null, notifiedAt: null, remindAt: null, notifiedCount: 0 };
    expect(decide(pending, condition(), at(4), RULES)).toEqual({ action: "none" });
    expect(decide(pending, condition(2), at(4), RULES)).toEqual({ action: "touch" });
    expect(decide(pending, condition(), at(5), RULES)).toEqual({ action: "open" });
  });

  test("gone while pending is dropped without a word; gone while open is resolved", () => {
    const pending: LiveIncident = { ...open(), state: "pending", openedAt: null };
    expect(decide(pending, undefined, at(1), RULES)).toEqual({ action: "drop" });
    expect(decide(open(), undefined, at(1), RULES)).toEqual({ action: "resolve" });
    expect(decide(undefined, undefined, at(1), RULES)).toEqual({ action: "none" });
  });

  test("a reminder when it lasts, not before", () => {
    expect(decide(open(), condition(), at(239), RULES)).toEqual({ action: "none" });
    expect(decide(open(), condition(), at(240), RULES)).toEqual({ action: "notify", event: "reminder" });
  });

  test("worse (more payments) is told, at most every 15 minutes; fewer is not", () => {
    expect(decide(open(), condition(3), at(10), RULES)).toEqual({ action: "touch" });
    expect(decide(open(), condition(3), at(15), RULES)).toEqual({ action: "notify", event: "worse" });
    expect(decide(open({ count: 3, notifiedCount: 3, notifiedAt: at(15) }), condition(2), at(40), RULES)).toEqual({ action: "touch" });
    expect(decide(open({ count: 3, notifiedCount: 3, notifiedAt: at(15) }), condition(3), at(40), RULES)).toEqual({ action: "none" });
  });
});
