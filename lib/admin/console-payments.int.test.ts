// The console's payments as a dealer thinks of them: who paid (name and login, as Navixy had them when the payment
// was made; never in anything the payer's browser gets), how (card brand and last four, a wallet or the method, the
// decline), found by any of those, and the same columns in the CSV.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { ADMIN_PASSWORD, WHO } from "../../dev/testing/admin-support";
import { exportPayments } from "./csv";
import { paymentDetail } from "./detail";
import { MAX_PAYERS_PER_SEARCH, listPayments, parseFilters } from "./payments-query";
import { recordPayerTerms } from "../payments/payer";
import { newId } from "../ids";

const skip = databaseUnavailable();

const USERS = [
  { id: 61001, firstName: "Jane", lastName: "Smith", login: "jane.smith@example.com", balance: "0.00" },
  { id: 61002, firstName: "Anna", middleName: "Maria", lastName: "Müller", login: "anna@muller.example", balance: "0.00" },
  { id: 61003, legalName: "Acme Logistics", login: "fleet@acme.example", balance: "0.00" },
  { id: 61004, firstName: "John", lastName: "Smithers", login: "js@example.com", balance: "0.00" },
];

/** One CSV line's fields (quoted fields may hold commas and doubled quotes). */
function csvCells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"|"$/g, "").replace(/""/g, '"'));
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return (await new Response(stream).text()).replace(/^\uFEFF/, "");
}

describe.skipIf(skip)("payments as a dealer reads them", () => {
  let gw: Gateway;
  let jane: { paymentId: string; piId: string };
  let anna: { paymentId: string; piId: string };
  let acmeDeclined: { paymentId: string; piId: string };

  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { ADMIN_PASSWORD } });
    const paid = async (userId: number, amount: number, pm = "pm_card_visa") => {
      const p = await gw.pay(userId, amount, pm);
      return { paymentId: p.paymentId, piId: p.piId };
    };
    jane = await paid(61001, 2500);
    anna = await paid(61002, 1000, "pm_card_mastercard");
    acmeDeclined = await paid(61003, 4000, "pm_card_chargeDeclinedInsufficientFunds");
    await gw.waitCredited(jane.paymentId);
    await gw.waitCredited(anna.paymentId);
    await waitFor(async () => ((await gw.services.db.payment.findUnique({ where: { id: acmeDeclined.paymentId } }))?.status === "failed" ? true : null), {
      what: "the declined payment",
    });
  });
  afterAll(async () => gw?.close());

  const row = (id: string) => gw.services.db.payment.findUniqueOrThrow({ where: { id } });

  test("a payment keeps who paid and how: name and login from Navixy, card brand and last four from Stripe", async () => {
    expect(await row(jane.paymentId)).toMatchObject({
      payerName: "Jane Smith",
      payerLogin: "jane.smith@example.com",
      paymentMethodType: "card",
      cardBrand: "visa",
      cardLast4: "4242",
      cardWallet: null,
    });
    expect(await row(anna.paymentId)).toMatchObject({ payerName: "Anna Maria Müller", cardBrand: "mastercard", cardLast4: "4444" });
    // A company is known by its legal name; a decline keeps the card that was declined and why.
    expect(await row(acmeDeclined.paymentId)).toMatchObject({
      payerName: "Acme Logistics",
      payerLogin: "fleet@acme.example",
      status: "failed",
      failureCode: "insufficient_funds",
      cardBrand: "visa",
      cardLast4: "9995",
    });
    const detail = await paymentDetail(gw.services, jane.paymentId);
    expect(detail?.payment).toMatchObject({ payerName: "Jane Smith", cardLast4: "4242" });
  });

  test("nothing of it reaches the payer's browser: the payment's status answer has no name, login or card", async () => {
    const res = await gw.request("GET", `/api/payments/${jane.paymentId}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/Jane|Smith|jane\.smith|4242|visa/i);
  });

  const search = async (q: string) => (await listPayments(gw.services, parseFilters({ q }, "eur").filters)).rows.map((r) => r.id);

  test("search by name (any word, its start, without accents), by login, by user id, by PaymentIntent and by last four", async () => {
    expect(await search("Smith")).toEqual([jane.paymentId]);
    expect(await search("smi")).toEqual([jane.paymentId]); // Jane Smith, not John Smithers' (no payment)
    expect(await search("jane smith")).toEqual([jane.paymentId]);
    expect(await search("SMITH JA")).toEqual([jane.paymentId]);
    expect(await search("muller")).toEqual([anna.paymentId]);
    expect(await search("Müller")).toEqual([anna.paymentId]);
    expect(await search("maria")).toEqual([anna.paymentId]);
    expect(await search("acme")).toEqual([acmeDeclined.paymentId]);
    expect(await search("jane.smith@example.com")).toEqual([jane.paymentId]);
    expect(await search("jane.smith@")).toEqual([jane.paymentId]);
    expect(await search("fleet@acme")).toEqual([acmeDeclined.paymentId]);
    expect(await search("61002")).toEqual([anna.paymentId]);
    expect(await search(jane.piId)).toEqual([jane.paymentId]);
    expect(await search(anna.paymentId)).toEqual([anna.paymentId]);
    expect(await search("4444")).toEqual([anna.paymentId]);
    expect(await search("9995")).toEqual([acmeDeclined.paymentId]);
    expect(await search("nobody")).toEqual([]);
    expect(await search("jane muller")).toEqual([]);
  });

  test("a search of several alternatives (a user id that is also a last four, a name of several payers) pages through every match once, newest first", async () => {
    const base = Date.now() - 3_600_000;
    const rows = Array.from({ length: 130 }, (_, i) => ({
      id: newId("pay"),
      // User 4243's payments, payments with a card ending 4243, and some both; three payers named Quinn.
      navixyUserId: i % 3 === 0 ? 4243 : 63000 + (i % 3),
      cardLast4: i % 3 === 1 || i % 6 === 0 ? "4243" : "1111",
      amount: 1000,
      currency: "eur",
      status: "succeeded",
      // Ties on purpose: the cursor breaks them by id.
      createdAt: new Date(base + Math.floor(i / 2) * 1000),
    }));
    for (const r of rows) await gw.services.db.payment.create({ data: { ...r, updatedAt: r.createdAt } });
    for (const id of [63001, 63002, 4243]) await recordPayerTerms(gw.services.db, gw.services.dealer.id, id, { payerName: `Quinn Number${id}`, payerLogin: null });
    const walk = async (q: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await listPayments(gw.services, parseFilters({ q }, "eur").filters, { cursor, limit: 17 });
        seen.push(...page.rows.map((r) => r.id));
        cursor = page.next;
      } while (cursor);
      return seen;
    };
    const newest = (keep: (r: (typeof rows)[number]) => boolean) =>
      rows
        .filter(keep)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((r) => r.id);
    expect(await walk("4243")).toEqual(newest((r) => r.navixyUserId === 4243 || r.cardLast4 === "4243"));
    expect(await walk("quinn")).toEqual(newest(() => true));
    expect(await walk("quinn number6300")).toEqual(newest((r) => r.navixyUserId !== 4243));
  });

  test("a search whose words match too many payers says so instead of listing them all", async () => {
    for (let i = 0; i <= MAX_PAYERS_PER_SEARCH; i++) await recordPayerTerms(gw.services.db, gw.services.dealer.id, 70000 + i, { payerName: `Lee Person${i}`, payerLogin: null });
    const page = await listPayments(gw.services, parseFilters({ q: "lee" }, "eur").filters);
    expect(page.rows).toEqual([]);
    expect(page.problem).toBe(`"lee" matches more than ${MAX_PAYERS_PER_SEARCH} payers: type more of the name or login`);
    expect((await listPayments(gw.services, parseFilters({ q: "lee person17" }, "eur").filters)).problem).toBeUndefined();
  });

  test("the CSV carries the same columns: payer, login, method, card, wallet, decline", async () => {
    const exported = await exportPayments(gw.services, WHO, { q: "acme" });
    if (exported.kind !== "csv") throw new Error(exported.problems.join("; "));
    const [header, line] = (await readText(exported.body)).trim().split("\r\n");
    const columns = csvCells(header!);
    for (const c of ["payer_name", "payer_login", "payment_method", "card_brand", "card_last4", "wallet", "failure_code", "failure_message"]) expect(columns).toContain(c);
    const cells = csvCells(line!);
    const values = Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
    expect(values).toMatchObject({ payer_name: "Acme Logistics", payer_login: "fleet@acme.example", payment_method: "card", card_brand: "visa", card_last4: "9995", wallet: "", failure_code: "insufficient_funds" });
    const tooMany = await exportPayments(gw.services, WHO, { q: "lee" });
    expect(tooMany).toEqual({ kind: "refused", problems: [`"lee" matches more than ${MAX_PAYERS_PER_SEARCH} payers: type more of the name or login`] });
  });

  test("rows from before payers were kept have none (the console shows a dash)", async () => {
    const old = await gw.services.db.payment.create({
      data: { id: newId("pay"), navixyUserId: 61001, amount: 500, currency: "eur", status: "succeeded", amountReceived: 500 },
    });
    const rows = (await listPayments(gw.services, parseFilters({ user: "61001" }, "eur").filters)).rows;
    expect(rows.find((r) => r.id === old.id)).toMatchObject({ payerName: null, payerLogin: null, cardLast4: null });
  });
});
