// A clean day at size: payments taken through the app with manual capture (three in four captured whole, one in four
// in part), one in ten refunded in part, every credit and debit landed in Navixy; the reconciliation pages through
// Stripe (100 a page) and every payer's Navixy transactions and finds the books balanced, to the cent.
// 400 payments by default (taking them through the app is what costs: about 30 s); RECONCILIATION_TEST_PAYMENTS=1000
// runs the full day (about 80 s per database here, of which the reconciliation itself is under a second).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { capturePayment } from "../payments/capture";
import { asPaymentId } from "../ids";
import { reconcilePeriod } from "./run";
import { pool } from "../../dev/testing/pool";

const PAYMENTS = Number(process.env.RECONCILIATION_TEST_PAYMENTS ?? 400);
const USERS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function nextSecond(): Promise<Date> {
  await sleep(1000 - (Date.now() % 1000) + 5);
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}


describe.skipIf(databaseUnavailable())("reconciliation of a day at size", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      users: Array.from({ length: USERS }, (_, i) => ({ id: 40001 + i, firstName: "Payer", lastName: String(i), balance: "0.00" })),
      env: {
        PAYMENT_CAPTURE: "manual",
        RATE_LIMIT_PAYMENTS_PER_IP: "100000/10m",
        RATE_LIMIT_PAYMENTS_PER_USER: "100000/10m",
        WORKER_CONCURRENCY: "32",
        NAVIXY_CONCURRENCY: "16",
        // Sixteen payers at once against a worker of 32 slots: on a busy two-core machine (every integration file in one
        // command) a payer's user read took over the harness's 1 s and the payment was refused with 503.
        NAVIXY_TIMEOUT_MS: "5000",
      },
    });
  });
  afterAll(async () => gw?.close());

  test(`${PAYMENTS} payments with captures and refunds reconcile balanced`, { timeout: 600_000 }, async () => {
    const start = await nextSecond();
    const amounts = Array.from({ length: PAYMENTS }, (_, i) => 1000 + (i % 97) * 25);
    const payments: { paymentId: string; piId: string; captured: number; refunded: number }[] = [];
    await pool(amounts, 16, async (amount, i) => {
      const p = await gw.pay(40001 + (i % USERS), amount);
      payments[i] = { paymentId: p.paymentId, piId: p.piId, captured: 0, refunded: 0 };
    });
    await waitFor(async () => ((await gw.services.db.payment.count({ where: { status: "authorized" } })) === PAYMENTS ? true : null), {
      what: "every payment authorized",
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    await pool(payments, 16, async (p, i) => {
      const captured = i % 4 === 3 ? amounts[i]! - 300 : amounts[i]!;
      await capturePayment(gw.services, asPaymentId(p.paymentId), captured);
      p.captured = captured;
    });
    await pool(
      payments.filter((_, i) => i % 10 === 0),
      16,
      async (p) => {
        await gw.stripe.refunds.create({ payment_intent: p.piId, amount: 200 });
        p.refunded = 200;
      },
    );
    const refunds = payments.filter((p) => p.refunded > 0).length;
    await waitFor(
      async () => {
        const [applied, all] = await Promise.all([
          gw.services.db.balanceMovement.count({ where: { state: "applied" } }),
          gw.services.db.balanceMovement.count(),
        ]);
        return applied === PAYMENTS + refunds && all === applied ? true : null;
      },
      { what: "every credit and debit applied", timeoutMs: 300_000, intervalMs: 200 },
    );
    const end = await nextSecond();
    const paidIn = Date.now() - start.getTime();

    const began = Date.now();
    const outcome = await reconcilePeriod(gw.services, { start, end, label: "scale", timeZone: "UTC" });
    const tookMs = Date.now() - began;
    if (outcome.state !== "finished") throw new Error("the run did not finish");
    const result = outcome.result;
    const gross = payments.reduce((sum, p) => sum + p.captured, 0);
    const refunded = refunds * 200;
    // On a failure, what kinds of differences and the first of each: a full list of hundreds would be cut off.
    const byClass = new Map<string, { count: number; first: unknown }>();
    for (const d of result.differences) {
      const seen = byClass.get(d.class) ?? { count: 0, first: d };
      seen.count++;
      byClass.set(d.class, seen);
    }
    expect(result.differences.length, `differences in a clean day (${gw.provider}): ${JSON.stringify([...byClass], null, 1)}; window ${start.toISOString()}..${end.toISOString()}`).toBe(0);
    expect(result.balanced).toBe(true);
    expect(result.totals["eur"]).toMatchObject({ payments: PAYMENTS, gross, refunded, credited: gross, debited: refunded, navixyCredited: gross, navixyDebited: refunded });
    expect(result.read).toMatchObject({ stripeTransactions: PAYMENTS + refunds, ledgerMovements: PAYMENTS + refunds, navixyUsers: USERS });
    const listCalls = gw.navixy.calls().filter((c) => c.method === "panel/user/transaction/list" && c.at >= new Date(began).toISOString()).length;
    console.log(
      `reconciliation of ${PAYMENTS} payments and ${refunds} refunds (${gw.provider}): ${tookMs} ms, ${Math.ceil((PAYMENTS + refunds) / 100)} Stripe pages, ${listCalls} Navixy list calls; paying took ${paidIn} ms`,
    );
  });
});
