// The payment list: filters, search, keyset pagination (every row once, stable under inserts), the CSV
// export (escaping, streaming) and the overview's numbers.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { newId } from "../ids";
import { csvField, paymentsCsvStream } from "./csv";
import { overview } from "./overview";
import { decodeCursor, encodeCursor, listPayments, parseFilters, type PaymentFilters } from "./payments-query";
import { paymentReference } from "../payments/reference";
import { ADMIN_PASSWORD, seedPayments, seedRow, type SeedRow } from "../../dev/testing/admin-support";

const skip = databaseUnavailable();

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let text = "";
  let chunks = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { text, chunks };
}

/** A small RFC 4180 parser, to check that what we write reads back as written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe("csv fields", () => {
  test("quotes, commas, line breaks and formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-3.10", { text: false })).toBe("-3.10");
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(null)).toBe("");
  });
});

describe.skipIf(skip)("payment list, export and overview", () => {
  let gw: Gateway;
  const base = new Date(Date.now() - 60_000);
  let rows: SeedRow[] = [];

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD } });
    rows = Array.from({ length: 240 }, (_, i) => seedRow(i, base));
    await seedPayments(gw, rows);
    // Credits: applied for the first succeeded rows, failed for a few, pending for others.
    const succeeded = rows.filter((r) => r.status === "succeeded");
    const credits = succeeded.slice(0, 30).map((r, i) => ({
      id: newId("mv"),
      paymentId: r.id,
      kind: "credit",
      navixyUserId: r.navixyUserId,
      amount: r.amountReceived,
      currency: "eur",
      navixyAmount: (r.amountReceived / 100).toFixed(2),
      reference: r.stripePaymentIntentId!,
      text: `Balance top-up via Stripe, payment ${r.stripePaymentIntentId}`,
      idempotencyKey: `credit:${r.stripePaymentIntentId}`,
      state: i < 20 ? "applied" : i < 25 ? "failed" : "pending",
      needsAttention: i >= 20 && i < 25,
    }));
    await gw.services.db.balanceMovement.createMany({ data: credits });
    // A payment with text that needs escaping.
    await gw.services.db.payment.update({ where: { id: rows[0]!.id }, data: { failureMessage: 'Declined, "insufficient funds"\nTry again', failureCode: "=cmd" } });
  });
  afterAll(async () => gw?.close());

  const all = async (filters: PaymentFilters, limit = 17) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPayments(gw.services, filters, { cursor, limit });
      ids.push(...page.rows.map((r) => r.id));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 1000);
    return ids;
  };
  const expected = (pred: (r: SeedRow) => boolean) =>
    rows
      .filter(pred)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);

  test("pages cover every row exactly once, newest first, ties broken by id", async () => {
    const ids = await all({});
    expect(ids).toEqual(expected(() => true));
    expect(new Set(ids).size).toBe(rows.length);
  });

  test("rows inserted while paging neither repeat nor push rows off a page", async () => {
    const first = await listPayments(gw.services, {}, { limit: 50 });
    const extra = Array.from({ length: 10 }, (_, i) => seedRow(1000 + i, new Date(), { createdAt: new Date(Date.now() + i) }));
    await seedPayments(gw, extra);
    const seen = first.rows.map((r) => r.id);
    let cursor = first.next;
    while (cursor) {
      const page = await listPayments(gw.services, {}, { cursor, limit: 50 });
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next;
    }
    expect(seen).toEqual(expected(() => true));
    rows.push(...extra);
  });

  test("filters: status, user, PaymentIntent, dates, amounts, credit state, search", async () => {
    expect(await all({ status: "failed" })).toEqual(expected((r) => r.status === "failed"));
    expect(await all({ navixyUserId: 50_003 })).toEqual(expected((r) => r.navixyUserId === 50_003));
    expect(await all({ paymentIntentId: rows[5]!.stripePaymentIntentId! })).toEqual([rows[5]!.id]);
    const from = new Date(base.getTime() - 30_000);
    const to = new Date(base.getTime() - 10_000);
    expect(await all({ from, to })).toEqual(expected((r) => r.createdAt >= from && r.createdAt < to));
    expect(await all({ minAmount: 1000, maxAmount: 1500 })).toEqual(expected((r) => r.amount >= 1000 && r.amount <= 1500));
    expect(await all({ status: "succeeded", navixyUserId: 50_010 })).toEqual(expected((r) => r.status === "succeeded" && r.navixyUserId === 50_010));
    expect((await all({ creditState: "credited" })).length).toBe(20);
    expect((await all({ creditState: "needs_attention" })).length).toBe(5);
    expect((await all({ creditState: "pending" })).length).toBe(5);
    expect(await all({ creditState: "not_due", status: "failed" })).toEqual(expected((r) => r.status === "failed"));
    expect(await all({ q: rows[7]!.id })).toEqual([rows[7]!.id]);
    expect(await all({ q: rows[8]!.stripePaymentIntentId! })).toEqual([rows[8]!.id]);
    expect(await all({ q: "50004" })).toEqual(expected((r) => r.navixyUserId === 50_004));
    expect(await all({ q: "no such thing" })).toEqual([]);
  });

  test("search by the short reference the return page shows the payer, however it is typed", async () => {
    const row = rows[9]!;
    const reference = paymentReference(row.id);
    expect(await all({ q: reference })).toEqual([row.id]);
    expect(await all({ q: reference.toLowerCase().replace("-", "") })).toEqual([row.id]);
    expect(await all({ q: paymentReference(newId("pay")) })).toEqual([]);
  });

  test("query-string filters: major units and UTC days, bad values named", () => {
    const { filters, problems } = parseFilters(
      { status: "succeeded", credit: "credited", user: "42", from: "2026-01-01", to: "2026-01-31", min: "10", max: "12.5", q: " pay_x " },
      "EUR",
    );
    expect(filters).toEqual({
      status: "succeeded",
      creditState: "credited",
      navixyUserId: 42,
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-02-01T00:00:00Z"),
      minAmount: 1000,
      maxAmount: 1250,
      q: "pay_x",
    });
    expect(problems).toEqual([]);
    expect(parseFilters({ status: "nope", user: "x", from: "yesterday", min: "1.234" }, "EUR").problems).toHaveLength(4);
    const c = { createdAt: new Date(1_700_000_000_123), id: "pay_abc" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor("garbage!")).toBeNull();
  });

  test("the CSV export streams page by page, escapes, and writes amounts in major units", async () => {
    const { text, chunks } = await readAll(paymentsCsvStream(gw.services, {}, 25));
    expect(chunks).toBeGreaterThan(rows.length / 25);
    expect(text.startsWith("\uFEFFpayment_id,created_at,")).toBe(true);
    const parsed = parseCsv(text.slice(1));
    const header = parsed[0]!;
    expect(parsed.length - 1).toBe(rows.length);
    const byId = new Map(parsed.slice(1).map((r) => [r[0], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
    const first = byId.get(rows[0]!.id)!;
    expect(first.failure_message).toBe('Declined, "insufficient funds"\nTry again');
    expect(first.failure_code).toBe("'=cmd");
    expect(first.amount).toBe((rows[0]!.amount / 100).toFixed(2));
    expect(first.currency).toBe("EUR");
    const credited = parsed.slice(1).filter((r) => r[header.indexOf("credit_state")] === "credited");
    expect(credited).toHaveLength(20);
    // Filters apply to the export too.
    const failed = parseCsv((await readAll(paymentsCsvStream(gw.services, { status: "failed" }))).text.slice(1));
    expect(failed.length - 1).toBe(rows.filter((r) => r.status === "failed").length);
  });

  test("overview: per range and currency, with a daily series", async () => {
    const data = await overview(gw.services, new Date());
    const today = data.ranges[0]!.totals.find((t) => t.currency === "eur")!;
    const mine = rows.filter((r) => r.createdAt >= new Date(new Date().toISOString().slice(0, 10)));
    expect(today.payments).toBe(mine.length);
    expect(today.collected).toBe(mine.reduce((s, r) => s + r.amountReceived, 0));
    const paid = mine.filter((r) => ["succeeded", "refunded"].includes(r.status)).length;
    const open = mine.filter((r) => r.status === "awaiting_payment").length;
    expect(today.successRate).toBeCloseTo(paid / (mine.length - open));
    expect(data.ranges[2]!.totals[0]!.payments).toBeGreaterThanOrEqual(today.payments);
    expect(data.daily.filter((d) => d.currency === "eur")).toHaveLength(30);
    expect(today.credited).toBeGreaterThan(0);
  });
});
