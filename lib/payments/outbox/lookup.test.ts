import { describe, expect, test } from "vitest";
import type { NavixyTransaction } from "../../navixy";
import { LookupIncomplete, MAX_SPAN_MS, PAGE_LIMIT, ZONE_MARGIN_MS, lookupWindows, searchTransactions, type Window } from "./lookup";

const DAY = 24 * 3600_000;
const at = (iso: string) => new Date(iso);

describe("lookupWindows", () => {
  test("one window around each attempt, widened by the time-zone margin, newest first", () => {
    const windows = lookupWindows(
      [
        { startedAt: at("2026-10-01T10:00:00Z"), durationMs: 2000 },
        { startedAt: at("2026-11-20T08:00:00Z"), durationMs: 500 },
      ],
      { createdAt: at("2026-10-01T09:59:00Z"), now: at("2026-12-04T12:00:00Z") },
    );
    expect(windows).toEqual([
      { from: new Date(at("2026-11-20T08:00:00Z").getTime() - ZONE_MARGIN_MS), to: new Date(at("2026-11-20T08:00:00.500Z").getTime() + ZONE_MARGIN_MS) },
      { from: new Date(at("2026-10-01T10:00:00Z").getTime() - ZONE_MARGIN_MS), to: new Date(at("2026-10-01T10:00:02Z").getTime() + ZONE_MARGIN_MS) },
    ]);
  });

  test("overlapping attempts share one window", () => {
    const windows = lookupWindows(
      [
        { startedAt: at("2026-12-01T10:00:00Z"), durationMs: 1000 },
        { startedAt: at("2026-12-01T12:00:00Z"), durationMs: 1000 },
      ],
      { createdAt: at("2026-12-01T09:00:00Z"), now: at("2026-12-04T12:00:00Z") },
    );
    expect(windows).toHaveLength(1);
  });

  test("without a recorded attempt, the movement's whole life in spans Navixy accepts", () => {
    const createdAt = at("2026-09-01T00:00:00Z");
    const now = at("2026-12-04T00:00:00Z");
    const windows = lookupWindows([], { createdAt, now });
    expect(windows.length).toBeGreaterThan(3);
    for (const w of windows) expect(w.to.getTime() - w.from.getTime()).toBeLessThanOrEqual(MAX_SPAN_MS);
    expect(windows.at(-1)!.from.getTime()).toBe(createdAt.getTime() - ZONE_MARGIN_MS);
    expect(windows[0]!.to.getTime()).toBe(now.getTime() + ZONE_MARGIN_MS);
    // Contiguous: no gap between consecutive spans.
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.to.getTime()).toBe(windows[i - 1]!.from.getTime());
    expect(MAX_SPAN_MS).toBeLessThan(31 * DAY);
  });
});

describe("searchTransactions", () => {
  const tx = (time: number, text: string, amount = "-0.10"): NavixyTransaction & { time: number } => ({
    time,
    amount,
    type: "balance",
    subtype: "",
    timestamp: new Date(time).toISOString(),
    text,
  });

  /** A Navixy that answers at most `limit` rows, oldest first, and counts requests. */
  function navixy(history: (NavixyTransaction & { time: number })[]) {
    const requests: Window[] = [];
    const list = async (w: Window & { limit: number }) => {
      requests.push(w);
      return history.filter((t) => t.time >= w.from.getTime() && t.time <= w.to.getTime()).slice(0, w.limit);
    };
    return { list, requests };
  }

  test("a full page is split by time until the reference is found", async () => {
    const t0 = Date.UTC(2026, 11, 1);
    const history = Array.from({ length: 3 * PAGE_LIMIT }, (_, i) => tx(t0 + i * 1000, `fee ${i}`));
    history.push(tx(t0 + 3 * PAGE_LIMIT * 1000 + 500, "Top-up pi_123", "25.00"));
    const { list, requests } = navixy(history);
    const found = await searchTransactions(list, [{ from: new Date(t0 - DAY), to: new Date(t0 + DAY) }], { reference: "pi_123", sign: 1 });
    expect(found.match?.amount).toBe("25.00");
    expect(found.requests).toBe(requests.length);
    expect(requests.length).toBeGreaterThan(1);
  });

  test("not found only after every row of every window was seen", async () => {
    const t0 = Date.UTC(2026, 11, 1);
    const history = Array.from({ length: 2500 }, (_, i) => tx(t0 + i * 1000, `fee ${i}`));
    const { list } = navixy(history);
    const found = await searchTransactions(list, [{ from: new Date(t0 - DAY), to: new Date(t0 + DAY) }], { reference: "pi_404", sign: 1 });
    expect(found.match).toBeUndefined();
  });

  test("a debit is not mistaken for the credit of the same payment", async () => {
    const t0 = Date.UTC(2026, 11, 1);
    const { list } = navixy([tx(t0, "Refund of pi_9", "-5.00")]);
    const found = await searchTransactions(list, [{ from: new Date(t0 - 1000), to: new Date(t0 + 1000) }], { reference: "pi_9", sign: 1 });
    expect(found.match).toBeUndefined();
  });

  test("a second with more rows than a page can hold is reported as incomplete, never as not found", async () => {
    const t0 = Date.UTC(2026, 11, 1);
    const history = Array.from({ length: PAGE_LIMIT + 1 }, (_, i) => tx(t0, `fee ${i}`));
    const { list } = navixy(history);
    await expect(searchTransactions(list, [{ from: new Date(t0 - 5000), to: new Date(t0 + 5000) }], { reference: "pi_1", sign: 1 })).rejects.toBeInstanceOf(
      LookupIncomplete,
    );
  });
});
