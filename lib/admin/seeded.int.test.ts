// 100,000 payments: keyset pages and filters return exactly the right rows at that size. No timings are
// asserted here (dev/bench/ measures speed); this proves correctness on a ledger of realistic size.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { listPayments, type PaymentFilters } from "./payments-query";
import { ADMIN_PASSWORD, seedPayments, seedRow, type SeedRow } from "../../dev/testing/admin-support";

const skip = databaseUnavailable();
const N = 100_000;

describe.skipIf(skip)(`a ledger of ${N.toLocaleString("en")} payments`, () => {
  let gw: Gateway;
  let rows: SeedRow[];
  const base = new Date(Date.now() - 86_400_000);

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD } });
    rows = Array.from({ length: N }, (_, i) => seedRow(i, base));
    await seedPayments(gw, rows, 5000);
  }, 300_000);
  afterAll(async () => gw?.close());

  const order = (a: SeedRow, b: SeedRow) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

  async function pageThrough(filters: PaymentFilters, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listPayments(gw.services, filters, { cursor, limit });
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      ids.push(...page.rows.map((r) => r.id));
      cursor = page.next;
    } while (cursor);
    return ids;
  }

  test("every row once, in order, across 100 pages of 1,000", async () => {
    const ids = await pageThrough({}, 1000);
    expect(ids.length).toBe(N);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual([...rows].sort(order).map((r) => r.id));
  }, 300_000);

  test("one user's payments (the navixyUserId, createdAt index)", async () => {
    const expected = rows.filter((r) => r.navixyUserId === 50_042).sort(order).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(1000);
    expect(await pageThrough({ navixyUserId: 50_042 }, 50)).toEqual(expected);
  }, 120_000);

  test("status + date range + amount, and a PaymentIntent found by search", async () => {
    const from = new Date(base.getTime() - 5 * 3_600_000);
    const to = new Date(base.getTime() - 2 * 3_600_000);
    const f: PaymentFilters = { status: "succeeded", from, to, minAmount: 2000, maxAmount: 3000 };
    const expected = rows
      .filter((r) => r.status === "succeeded" && r.createdAt >= from && r.createdAt < to && r.amount >= 2000 && r.amount <= 3000)
      .sort(order)
      .map((r) => r.id);
    expect(expected.length).toBeGreaterThan(100);
    expect(await pageThrough(f, 200)).toEqual(expected);
    const target = rows[77_777]!;
    expect((await listPayments(gw.services, { q: target.stripePaymentIntentId! })).rows.map((r) => r.id)).toEqual([target.id]);
    expect((await listPayments(gw.services, { q: target.id })).rows.map((r) => r.id)).toEqual([target.id]);
  }, 120_000);

  test("the first page is the newest 50", async () => {
    const page = await listPayments(gw.services, {}, { limit: 50 });
    expect(page.rows.map((r) => r.id)).toEqual([...rows].sort(order).slice(0, 50).map((r) => r.id));
    expect(page.next).not.toBeNull();
  });
});
