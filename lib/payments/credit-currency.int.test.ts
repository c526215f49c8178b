// A PaymentIntent is credited only in the ledger's currency (the payment row's). One whose currency was
// changed in Stripe after we created it is never credited: the payment says why and waits for a person.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { needsAttention } from "./attention";

describe.skipIf(databaseUnavailable())("a PaymentIntent in another currency than the ledger's", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: [{ id: 40001, firstName: "Mary", lastName: "Keller", balance: "10.00" }] });
  });
  afterAll(async () => gw?.close());

  test("is not credited: no movement, the payment says why and needs attention, the payer is told a person looks at it", async () => {
    const created = await gw.createPayment(40001, 2500);
    expect(created.currency).toBe("eur");
    // Changed in Stripe (dashboard, another integration) before the payer paid: Stripe now collects USD.
    await gw.stripe.paymentIntents.update(created.piId, { currency: "usd" });
    const confirmed = await gw.confirmAsPayer(created.piId, created.clientSecret);
    expect(confirmed.body).toMatchObject({ status: "succeeded", currency: "usd", amount: 2500 });

    const payment = await waitFor(async () => {
      const p = await gw.services.db.payment.findUniqueOrThrow({ where: { id: created.paymentId } });
      return p.status === "succeeded" ? p : null;
    });
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
    expect(await gw.services.db.balanceMovement.count({ where: { paymentId: created.paymentId } })).toBe(0);
    expect(gw.navixy.changeBalanceCalls(40001)).toBe(0);
    expect(gw.navixy.balanceCents(40001)).toBe(1000);
    expect(payment).toMatchObject({ currency: "eur", failureCode: "currency_mismatch", amountReceived: 0 });
    expect(payment.failureMessage).toMatch(/USD/);
    expect(payment.failureMessage).toMatch(/EUR/);

    const items = (await needsAttention(gw.services)).filter((i) => i.paymentId === created.paymentId);
    expect(items).toMatchObject([{ kind: "currency_mismatch", currency: "eur", amount: 2500 }]);
    expect(items[0]!.reason).toMatch(/USD/);

    const view = await gw.request("GET", `/api/payments/${created.paymentId}`);
    expect(view.body).toMatchObject({ status: "succeeded", credited: false, creditState: "needs_attention" });

    // Replayed and re-read: still nothing credited.
    for (const e of gw.stripeEmulator.events().filter((e) => (e.data.object as { id?: string }).id === created.piId)) gw.stripeEmulator.resendEvent(e.id);
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
    expect(await gw.services.db.balanceMovement.count({ where: { paymentId: created.paymentId } })).toBe(0);

    // Refunded in Stripe in full: nothing is left to do, it leaves the list, and nothing is debited.
    await gw.stripe.refunds.create({ payment_intent: created.piId });
    await waitFor(async () => (await gw.services.db.payment.findUniqueOrThrow({ where: { id: created.paymentId } })).status === "refunded", { what: "refunded" });
    await gw.worker!.drain();
    expect(await gw.services.db.balanceMovement.count({ where: { paymentId: created.paymentId } })).toBe(0);
    expect(gw.navixy.changeBalanceCalls(40001)).toBe(0);
    expect((await needsAttention(gw.services)).filter((i) => i.paymentId === created.paymentId)).toEqual([]);
  });
});
