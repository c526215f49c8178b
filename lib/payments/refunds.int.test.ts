// charge.refunded: refunds debit the Navixy balance once per Stripe refund, in any order of events,
// and a refund of money that never reached the balance takes it off the owed credit instead.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../testing/harness";

describe.skipIf(databaseUnavailable())("refunds", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      users: [
        { id: 20001, firstName: "Ada", lastName: "Lovelace", balance: "10.00" },
        { id: 20002, firstName: "Alan", lastName: "Turing", balance: "10.00" },
        { id: 20003, firstName: "Grace", lastName: "Hopper", balance: "10.00" },
        { id: 20004, firstName: "Edsger", lastName: "Dijkstra", balance: "10.00" },
        { id: 20005, firstName: "Barbara", lastName: "Liskov", balance: "10.00" },
        { id: 20006, firstName: "Donald", lastName: "Knuth", balance: "10.00" },
      ],
    });
  });
  afterAll(async () => gw?.close());
  beforeEach(async () => {
    gw.navixy.clearFaults();
    await gw.navixy.setOutage(false);
    gw.stripeEmulator.pauseDeliveries(false);
  });

  const pay = (userId: number, amount: number) => gw.pay(userId, amount);
  const movements = (paymentId: string) =>
    gw.services.db.balanceMovement.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
  const settled = (paymentId: string, count: number) =>
    waitFor(
      async () => {
        const list = await movements(paymentId);
        return list.length === count && list.every((m) => m.state === "applied" || m.state === "canceled" || m.state === "failed") ? list : null;
      },
      { what: `${count} settled movements` },
    );
  const payment = (paymentId: string) => gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } });

  test("a full refund debits what was credited, once, even when the event is replayed", async () => {
    const { paymentId, piId } = await pay(20001, 2500);
    await settled(paymentId, 1);
    expect(gw.navixy.balanceCents(20001)).toBe(3500);

    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    const [credit, debit] = await settled(paymentId, 2);
    expect(credit).toMatchObject({ kind: "credit", state: "applied", amount: 2500 });
    expect(debit).toMatchObject({ kind: "debit", state: "applied", amount: 2500, navixyAmount: "-25.00", reference: refund.id, idempotencyKey: `debit:${refund.id}` });
    expect(debit!.text).toContain(refund.id);
    expect(gw.navixy.balanceCents(20001)).toBe(1000);
    expect(await payment(paymentId)).toMatchObject({ status: "refunded", amountRefunded: 2500 });

    const event = gw.stripeEmulator.events().find((e) => e.type === "charge.refunded")!;
    gw.stripeEmulator.resendEvent(event.id);
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
    expect(await movements(paymentId)).toHaveLength(2);
    expect(gw.navixy.balanceCents(20001)).toBe(1000);
  });

  test("several partial refunds each debit their own amount once", async () => {
    const { paymentId, piId } = await pay(20002, 5000);
    await settled(paymentId, 1);
    await gw.stripe.refunds.create({ payment_intent: piId, amount: 1000 });
    await settled(paymentId, 2);
    expect(await payment(paymentId)).toMatchObject({ status: "partially_refunded", amountRefunded: 1000 });
    await gw.stripe.refunds.create({ payment_intent: piId, amount: 1500 });
    await settled(paymentId, 3);
    expect(await payment(paymentId)).toMatchObject({ status: "partially_refunded", amountRefunded: 2500 });
    await gw.stripe.refunds.create({ payment_intent: piId });
    const all = await settled(paymentId, 4);
    expect(all.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 5000, "applied"],
      ["debit", 1000, "applied"],
      ["debit", 1500, "applied"],
      ["debit", 2500, "applied"],
    ]);
    expect(gw.navixy.balanceCents(20002)).toBe(1000);
    expect(await payment(paymentId)).toMatchObject({ status: "refunded", amountRefunded: 5000 });
  });

  test("a debit Navixy refuses for insufficient funds waits for a person, with the amount and reason", async () => {
    const { paymentId, piId } = await pay(20003, 2000);
    await settled(paymentId, 1);
    gw.navixy.setUsers([{ id: 20003, firstName: "Grace", lastName: "Hopper", balance: "5.00" }]); // the user spent it
    await gw.stripe.refunds.create({ payment_intent: piId });
    const [, debit] = await settled(paymentId, 2);
    expect(debit).toMatchObject({ state: "failed", needsAttention: true, lastErrorCode: 251, amount: 2000 });
    expect(debit!.lastError).toMatch(/251/);
    expect(gw.navixy.balanceCents(20003)).toBe(500);
  });

  test("a refund before the credit reached Navixy cancels the credit instead of debiting", async () => {
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", always: true, action: { type: "error", code: 13 } });
    const { paymentId, piId } = await pay(20004, 3000);
    await waitFor(async () => (await movements(paymentId))[0]?.state === "failed", { what: "credit refused" });
    await gw.stripe.refunds.create({ payment_intent: piId });
    const [credit, debit] = await settled(paymentId, 2);
    expect(credit).toMatchObject({ state: "canceled", needsAttention: false });
    expect(credit!.lastError).toMatch(/refunded .* before it was credited/);
    expect(debit).toMatchObject({ kind: "debit", state: "canceled" });
    expect(debit!.lastError).toMatch(/not debited/);
    expect(gw.navixy.balanceCents(20004)).toBe(1000);
    expect(gw.navixy.changeBalanceCalls(20004)).toBe(0);
  });

  test("a partial refund while Navixy is down leaves exactly the rest credited", async () => {
    const created = await gw.createPayment(20005, 4000);
    const piId = created.piId;
    await gw.navixy.setOutage(true);
    await gw.confirmAsPayer(piId, created.clientSecret);
    await waitFor(async () => (await movements(created.paymentId)).length === 1, { what: "credit owed" });
    await gw.stripe.refunds.create({ payment_intent: piId, amount: 1500 });
    await gw.stripeEmulator.flushDeliveries();
    await waitFor(async () => (await movements(created.paymentId)).length === 2, { what: "refund recorded" });
    await gw.navixy.setOutage(false);
    await settled(created.paymentId, 2);
    await waitFor(() => gw.navixy.balanceCents(20005) === 1000 + 2500, { what: "balance 35.00" });
    await gw.worker!.drain();
    expect(gw.navixy.balanceCents(20005)).toBe(3500);
  });

  test("charge.refunded arriving before payment_intent.succeeded still ends with one credit and one debit", async () => {
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    const { paymentId, piId } = await pay(20006, 1200);
    await gw.stripe.refunds.create({ payment_intent: piId, amount: 200 });
    gw.stripeEmulator.pauseDeliveries(false);
    const ours = gw.stripeEmulator
      .events()
      .filter((e) => ["payment_intent.succeeded", "charge.refunded"].includes(e.type) && JSON.stringify(e.data.object).includes(piId));
    expect(ours.map((e) => e.type)).toEqual(["payment_intent.succeeded", "charge.refunded"]);
    for (const e of [...ours].reverse()) gw.stripeEmulator.resendEvent(e.id);
    await gw.stripeEmulator.flushDeliveries();
    const list = await settled(paymentId, 2);
    expect(list.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 1200, "applied"],
      ["debit", 200, "applied"],
    ]);
    expect(gw.navixy.balanceCents(20006)).toBe(1000 + 1000);
    expect(await payment(paymentId)).toMatchObject({ status: "partially_refunded", amountRefunded: 200 });
  });
});
