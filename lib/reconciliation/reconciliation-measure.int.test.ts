// How long a large day takes to reconcile, and at what request rates: RECONCILIATION_MEASURE_PAYMENTS=10000 plants that
// many paid, credited payments (one in ten refunded and debited) straight into the three books (the Stripe emulator
// through the SDK, the ledger with createMany, Navixy with its transactions), spread over USERS payers, then reconciles
// the day and prints where the time went. Skipped unless the variable is set: planting is slow, and the figures are
// for docs/reliability.md. The day must reconcile balanced.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { newId } from "../ids";
import { toNavixyAmount } from "../money";
import { creditText } from "../payments/sync-payment-intent";
import { refundText } from "../payments/refunds";
import { reconcilePeriod } from "./run";
import { pool } from "../../dev/testing/pool";

const PAYMENTS = Number(process.env.RECONCILIATION_MEASURE_PAYMENTS ?? 0);
const USERS = Math.max(1, Math.ceil(PAYMENTS * 0.6));


describe.skipIf(databaseUnavailable() || PAYMENTS === 0)("reconciliation of a large day, measured", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      users: Array.from({ length: USERS }, (_, i) => ({ id: 60001 + i, firstName: "Payer", lastName: String(i), balance: "0.00" })),
      worker: false,
    });
  });
  afterAll(async () => gw?.close());

  test(`${PAYMENTS} payments`, { timeout: 3_600_000 }, async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    const planted = Date.now();
    // The ledger is planted directly: the app need not hear of these payments (and storing 200,000 webhooks would
    // weigh on the figures).
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    const rows: { paymentId: string; piId: string; userId: number; amount: number; refundId: string | null }[] = [];
    await pool(
      Array.from({ length: PAYMENTS }, (_, i) => i),
      8,
      async (i) => {
        const amount = 1000 + (i % 97) * 25;
        const pi = await gw.stripe.paymentIntents.create({ amount, currency: "eur", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa" });
        const refund = i % 10 === 0 ? await gw.stripe.refunds.create({ payment_intent: pi.id, amount: 200 }) : null;
        rows[i] = { paymentId: newId("pay"), piId: pi.id, userId: 60001 + (i % USERS), amount, refundId: refund?.id ?? null };
      },
    );
    const now = new Date();
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await gw.services.db.payment.createMany({
        data: part.map((r) => ({ id: r.paymentId, navixyUserId: r.userId, amount: r.amount, currency: "eur", status: "succeeded", stripePaymentIntentId: r.piId, amountReceived: r.amount, succeededAt: now })),
      });
      await gw.services.db.balanceMovement.createMany({
        data: part.flatMap((r) => [
          { id: newId("mv"), paymentId: r.paymentId, kind: "credit", navixyUserId: r.userId, amount: r.amount, currency: "eur", navixyAmount: toNavixyAmount(r.amount, "eur"), reference: r.piId, text: creditText(r.piId), idempotencyKey: `credit:${r.piId}`, state: "applied", appliedAt: now },
          ...(r.refundId
            ? [{ id: newId("mv"), paymentId: r.paymentId, kind: "debit", navixyUserId: r.userId, amount: 200, currency: "eur", navixyAmount: "-2.00", reference: r.refundId, text: refundText(r.refundId, r.piId), idempotencyKey: `debit:${r.refundId}`, state: "applied", appliedAt: now }]
            : []),
        ]),
      });
    }
    const byUser = new Map<number, { at: Date; amountCents: number; text: string }[]>();
    for (const r of rows) {
      const list = byUser.get(r.userId) ?? [];
      list.push({ at: now, amountCents: r.amount, text: creditText(r.piId) });
      if (r.refundId) list.push({ at: now, amountCents: -200, text: refundText(r.refundId, r.piId) });
      byUser.set(r.userId, list);
    }
    for (const [userId, entries] of byUser) gw.navixy.addTransactions(userId, entries);
    const end = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
    await new Promise((resolve) => setTimeout(resolve, end.getTime() - Date.now() + 10));
    const plantedMs = Date.now() - planted;

    const phases: Record<string, number> = {};
    let last = Date.now();
    let phase = "stripe";
    const began = Date.now();
    const outcome = await reconcilePeriod(
      gw.services,
      { start, end, label: "measure", timeZone: "UTC" },
      {
        onProgress: (p) => {
          if (p.phase !== phase) {
            phases[phase] = Date.now() - last;
            last = Date.now();
            phase = p.phase;
          }
        },
      },
    );
    const tookMs = Date.now() - began;
    phases[`${phase}+match`] = Date.now() - last;
    if (outcome.state !== "finished") throw new Error("not finished");
    expect(outcome.result.differences).toEqual([]);
    const refunds = rows.filter((r) => r.refundId).length;
    expect(outcome.result.read).toMatchObject({ stripeTransactions: PAYMENTS + refunds, navixyUsers: USERS });
    const navixyCalls = gw.navixy.calls().filter((c) => c.method === "panel/user/transaction/list").length;
    console.log(
      JSON.stringify({
        provider: gw.provider,
        payments: PAYMENTS,
        refunds,
        users: USERS,
        plantedMs,
        reconcileMs: tookMs,
        phasesMs: phases,
        stripePages: Math.ceil((PAYMENTS + refunds) / 100),
        stripePagesPerSecond: +((Math.ceil((PAYMENTS + refunds) / 100) / (phases["stripe"] ?? tookMs)) * 1000).toFixed(1),
        navixyListCalls: navixyCalls,
        navixyCallsPerSecond: +((navixyCalls / (phases["navixy"] ?? phases["navixy+match"] ?? tookMs)) * 1000).toFixed(1),
      }),
    );
  });
});
