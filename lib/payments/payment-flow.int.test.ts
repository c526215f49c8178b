// The whole path on real parts: checkout API → Stripe (emulator) → signed webhook over HTTP → ledger →
// worker → Navixy (emulator). Every test asserts what matters to a dealer: the Navixy balance, how many
// times it was changed, and what the ledger says.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { beginDelivery, noteEventReceived } from "../server/request-activity";

const skip = databaseUnavailable();

describe.skipIf(skip)("payment → webhook → Navixy credit", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw?.close());
  beforeEach(async () => {
    gw.navixy.clearFaults();
    await gw.navixy.setOutage(false);
    gw.stripeEmulator.pauseDeliveries(false);
  });

  const createPayment = (userId: number, amount: number) => gw.createPayment(userId, amount);
  const pay = (userId: number, amount: number, paymentMethod?: string) => gw.pay(userId, amount, paymentMethod);
  const waitCredited = (paymentId: string) => gw.waitCredited(paymentId);

  const creditCalls = (userId: number) => gw.navixy.changeBalanceCalls(userId);

  test("a paid PaymentIntent credits the Navixy balance once, and the ledger records it all", async () => {
    const before = gw.navixy.balanceCents(10001);
    const { paymentId, piId, currency, amount } = await pay(10001, 2500);
    expect(currency).toBe("eur");
    expect(amount).toBe(2500);

    const status = await waitCredited(paymentId);
    expect(status).toMatchObject({ paymentId, status: "succeeded", amount: 2500, currency: "eur", credited: true, failureMessage: null });
    expect(gw.navixy.balanceCents(10001)).toBe(before + 2500);
    expect(creditCalls(10001)).toBe(1);

    const { db } = gw.services;
    const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { movements: true, history: true } });
    expect(payment.stripePaymentIntentId).toBe(piId);
    expect(payment.amountReceived).toBe(2500);
    expect(payment.history.map((h) => h.toStatus)).toEqual(["created", "awaiting_payment", "succeeded"]);
    expect(payment.movements).toHaveLength(1);
    const credit = payment.movements[0]!;
    expect(credit).toMatchObject({ kind: "credit", amount: 2500, navixyAmount: "25.00", state: "applied", idempotencyKey: `credit:${piId}` });
    expect(credit.text).toContain(piId);
    const transactions = gw.navixy.user(10001)!.transactions;
    expect(transactions.at(-1)?.text).toBe(credit.text);

    const events = await db.stripeEvent.findMany({ where: { objectId: piId, type: "payment_intent.succeeded" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "processed", paymentId });
    const calls = await db.navixyCall.findMany({ where: { movementId: credit.id } });
    expect(calls.map((c) => [c.method, c.outcome])).toEqual([["change_balance", "applied"]]);
  });

  test("the same event delivered 20 times at once credits once", async () => {
    const { paymentId, piId } = await pay(10002, 1000);
    await waitCredited(paymentId);
    const { db } = gw.services;
    const stored = await db.stripeEvent.findFirstOrThrow({ where: { objectId: piId, type: "payment_intent.succeeded" } });
    const before = gw.navixy.balanceCents(10002);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => {
        const header = gw.stripe.webhooks.generateTestHeaderString({ payload: stored.payload, secret: "whsec_integration_tests" });
        return gw.request("POST", "/api/stripe/webhook", stored.payload, { "stripe-signature": header, "content-type": "application/json" });
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await gw.worker!.drain();
    expect(gw.navixy.balanceCents(10002)).toBe(before);
    expect(creditCalls(10002)).toBe(1);
    expect(await db.balanceMovement.count({ where: { paymentId } })).toBe(1);
    expect(await db.stripeEvent.count({ where: { id: stored.id } })).toBe(1);
  });

  test("distinct events and the return page racing for one payment still credit once", async () => {
    gw.stripeEmulator.pauseDeliveries(true);
    const { paymentId, piId } = await pay(10003, 4200);
    const { completePayment } = await import("./payment-status");
    // The payer comes back before any webhook: the return page syncs from Stripe itself.
    const results = await Promise.all(Array.from({ length: 5 }, () => completePayment(gw.services, piId)));
    expect(results.every((r) => r?.view.paymentId === paymentId)).toBe(true);
    expect(results[0]?.retryPath).toBe("/?id=10003");
    await waitCredited(paymentId);
    gw.stripeEmulator.pauseDeliveries(false);
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
    expect(creditCalls(10003)).toBe(1);
    expect(await gw.services.db.balanceMovement.count({ where: { paymentId } })).toBe(1);
  });

  test("a declined card records the reason; a later success on the same PaymentIntent credits once", async () => {
    const created = await createPayment(10001, 1500);
    const piId = created.piId;
    const declined = await gw.confirmAsPayer(piId, created.clientSecret, "pm_card_chargeDeclinedInsufficientFunds");
    expect(declined.status).toBe(402);
    const failed = await waitFor(async () => {
      const res = await gw.request("GET", `/api/payments/${created.paymentId}`);
      return res.body?.status === "failed" ? res.body : null;
    });
    expect(failed.failureMessage).toMatch(/insufficient funds/i);
    expect(failed.credited).toBe(false);
    const before = creditCalls(10001);

    const ok = await gw.confirmAsPayer(piId, created.clientSecret, "pm_card_visa");
    expect(ok.status).toBe(200);
    const status = await waitCredited(created.paymentId);
    expect(status.failureMessage).toBeNull();
    expect(creditCalls(10001)).toBe(before + 1);
  });

  test("Navixy down for a while: retried with backoff, credited once when it is back", async () => {
    const before = gw.navixy.balanceCents(10002);
    const created = await createPayment(10002, 700);
    const paymentId = created.paymentId;
    await gw.navixy.setOutage(true);
    await gw.confirmAsPayer(created.piId, created.clientSecret);
    const { db } = gw.services;
    const movement = await waitFor(async () => {
      const m = await db.balanceMovement.findFirst({ where: { paymentId } });
      return m && m.attempts >= 3 ? m : null;
    }, { what: "three failed attempts" });
    if (!movement) throw new Error("unreachable");
    expect(movement.state).not.toBe("applied");
    expect(movement.lastError).toBeTruthy();
    expect(gw.navixy.balanceCents(10002)).toBe(before);

    await gw.navixy.setOutage(false);
    await waitCredited(paymentId);
    expect(gw.navixy.balanceCents(10002)).toBe(before + 700);
    const applied = await db.balanceMovement.findFirstOrThrow({ where: { paymentId } });
    expect(applied.state).toBe("applied");
    const calls = await db.navixyCall.findMany({ where: { movementId: applied.id }, orderBy: { id: "asc" } });
    expect(calls.filter((c) => c.outcome === "applied")).toHaveLength(1);
  });

  test("Navixy applies the credit but the connection drops: looked up, never sent twice", async () => {
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "drop_after_apply" } });
    const before = gw.navixy.balanceCents(10003);
    const callsBefore = creditCalls(10003);
    const { paymentId } = await pay(10003, 999);
    await waitCredited(paymentId);
    expect(gw.navixy.balanceCents(10003)).toBe(before + 999);
    expect(creditCalls(10003)).toBe(callsBefore + 1);
    const movement = await gw.services.db.balanceMovement.findFirstOrThrow({ where: { paymentId }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(movement.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["change_balance", "unknown"],
      ["transaction_list", "found"],
    ]);
  });

  test("Navixy answers too late: the outcome is looked up before any retry", async () => {
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "delay", ms: 1500 } });
    const before = gw.navixy.balanceCents(10001);
    const callsBefore = creditCalls(10001);
    const { paymentId } = await pay(10001, 1234);
    await waitCredited(paymentId);
    await new Promise((r) => setTimeout(r, 1600)); // let the slow call land at Navixy
    await gw.worker!.drain();
    expect(gw.navixy.balanceCents(10001)).toBe(before + 1234);
    expect(creditCalls(10001)).toBe(callsBefore + 1);
  });

  test("an expired Navixy session is renewed and the credit goes through once", async () => {
    gw.navixy.expireSessions();
    const before = gw.navixy.balanceCents(10002);
    const { paymentId } = await pay(10002, 600);
    await waitCredited(paymentId);
    expect(gw.navixy.balanceCents(10002)).toBe(before + 600);
  });

  test("a permanent Navixy refusal marks the credit as needing attention, with the reason", async () => {
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "error", code: 13 } });
    const before = gw.navixy.balanceCents(10001);
    const { paymentId } = await pay(10001, 500);
    const status = await waitFor(async () => {
      const res = await gw.request("GET", `/api/payments/${paymentId}`);
      return res.body?.creditState === "needs_attention" ? res.body : null;
    });
    expect(status.credited).toBe(false);
    const movement = await gw.services.db.balanceMovement.findFirstOrThrow({ where: { paymentId } });
    expect(movement).toMatchObject({ state: "failed", needsAttention: true, lastErrorCode: 13 });
    expect(gw.navixy.balanceCents(10001)).toBe(before);
  });

  test("a PaymentIntent whose id we never stored (crash right after creating it) is matched by its metadata", async () => {
    const created = await createPayment(10002, 800);
    const piId = created.piId;
    await gw.services.db.payment.update({ where: { id: created.paymentId }, data: { stripePaymentIntentId: null } });
    await gw.confirmAsPayer(piId, created.clientSecret);
    const status = await waitCredited(created.paymentId);
    expect(status.amount).toBe(800);
    const payment = await gw.services.db.payment.findUniqueOrThrow({ where: { id: created.paymentId } });
    expect(payment.stripePaymentIntentId).toBe(piId);
  });
});

describe.skipIf(skip)("crash recovery of the worker", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  });
  afterAll(async () => gw?.close());

  async function paidAndStored(userId: number, amount: number) {
    const paid = await gw.pay(userId, amount);
    await gw.stripeEmulator.flushDeliveries();
    return paid;
  }

  test("a worker killed after Navixy applied but before recording it: the next one finds the credit", async () => {
    const { LedgerWorker } = await import("./worker/ledger-worker");
    const { paymentId } = await paidAndStored(10001, 2000);
    const worker = new LedgerWorker(gw.services);
    await worker.drain();
    const { db } = gw.services;
    const applied = await db.balanceMovement.findFirstOrThrow({ where: { paymentId } });
    expect(applied.state).toBe("applied");
    const calls = gw.navixy.changeBalanceCalls(10001);
    // Rewind the row to what a crash leaves behind: claimed, lease expired, outcome never written.
    await db.balanceMovement.update({
      where: { id: applied.id },
      data: { state: "sending", appliedAt: null, leaseOwner: "dead-worker", leaseUntil: new Date(Date.now() - 1000) },
    });
    await new LedgerWorker(gw.services).drain();
    const after = await db.balanceMovement.findFirstOrThrow({ where: { paymentId }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(after.state).toBe("applied");
    expect(gw.navixy.changeBalanceCalls(10001)).toBe(calls);
    expect(after.calls.at(-1)).toMatchObject({ method: "transaction_list", outcome: "found" });
  });

  test("a worker killed before the call reached Navixy: the next one looks up, then sends once", async () => {
    const { LedgerWorker } = await import("./worker/ledger-worker");
    const { paymentId } = await paidAndStored(10002, 600);
    const before = gw.navixy.balanceCents(10002);
    const { db } = gw.services;
    // Process the event only (the credit is then owed), and leave the credit claimed by a dead worker.
    const worker = new LedgerWorker(gw.services);
    const stored = await db.stripeEvent.findFirstOrThrow({ where: { status: "received" } });
    const { handleStripeEvent } = await import("./intake/handle-stripe-event");
    await handleStripeEvent(gw.services, stored);
    await db.stripeEvent.updateMany({ where: { id: stored.id }, data: { status: "processed" } });
    const owed = await db.balanceMovement.findFirstOrThrow({ where: { paymentId } });
    await db.balanceMovement.update({
      where: { id: owed.id },
      data: { state: "sending", leaseOwner: "dead-worker", leaseUntil: new Date(Date.now() - 1000), attempts: 1 },
    });
    await worker.drain();
    const after = await db.balanceMovement.findFirstOrThrow({ where: { paymentId }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(after.state).toBe("applied");
    expect(after.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["transaction_list", "not_found"],
      ["change_balance", "applied"],
    ]);
    expect(gw.navixy.balanceCents(10002)).toBe(before + 600);
  });

  test("an event whose processing died mid-way is taken over after its lease", async () => {
    const { LedgerWorker } = await import("./worker/ledger-worker");
    const { paymentId } = await paidAndStored(10003, 1100);
    const { db } = gw.services;
    await db.stripeEvent.updateMany({
      where: { status: "received" },
      data: { status: "processing", leaseOwner: "dead-worker", leaseUntil: new Date(Date.now() - 1000) },
    });
    await new LedgerWorker(gw.services).drain();
    const movement = await db.balanceMovement.findFirstOrThrow({ where: { paymentId } });
    expect(movement.state).toBe("applied");
    expect(await db.stripeEvent.count({ where: { status: { in: ["received", "processing"] } } })).toBe(0);
  });
});

describe.skipIf(skip)("the worker and webhook deliveries", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m", RATE_LIMIT_PAYMENTS_PER_USER: "1000/10m" } });
  });
  afterAll(async () => gw?.close());

  test("while webhook deliveries never stop, the worker still credits (it gives way, it does not starve)", async () => {
    const before = gw.navixy.balanceCents(10001);
    const delivering = beginDelivery(); // a delivery in flight for the whole test
    try {
      const { paymentId } = await gw.pay(10001, 1500);
      await gw.waitCredited(paymentId);
      expect(gw.navixy.balanceCents(10001)).toBe(before + 1500);
    } finally {
      delivering();
    }
  });

  test("redeliveries that never stop do not hold the credits back: rows are worked side by side from the start", async () => {
    // Stripe redelivering events already stored (answered as duplicates) is no burst of new work: credits keep their pace.
    const change = "panel/user/transaction/change_balance";
    gw.navixy.addFault({ method: change, always: true, action: { type: "delay", ms: 150 } });
    gw.navixy.resetMaxConcurrent();
    const before = gw.navixy.balanceCents(10002);
    const delivering = beginDelivery();
    try {
      const paid = await Promise.all(Array.from({ length: 3 }, (_, n) => gw.pay(10002, 500 + n)));
      for (const p of paid) await gw.waitCredited(p.paymentId);
      expect(gw.navixy.balanceCents(10002)).toBe(before + 500 + 501 + 502);
      expect(gw.navixy.maxConcurrent(change)).toBeGreaterThanOrEqual(2);
    } finally {
      delivering();
      gw.navixy.clearFaults();
    }
  });

  test("a burst of new events is answered first: the worker credits nothing while it lasts, then all of it", async () => {
    const before = gw.navixy.balanceCents(10003);
    const callsBefore = gw.navixy.changeBalanceCalls(10003);
    const delivering = beginDelivery();
    // New events stored at 200 a second, as in Stripe catching up after an outage.
    const burst = setInterval(() => noteEventReceived(true), 5);
    let callsDuringBurst: number;
    try {
      const paid = await Promise.all(Array.from({ length: 8 }, (_, n) => gw.pay(10003, 700 + n)));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      callsDuringBurst = gw.navixy.changeBalanceCalls(10003) - callsBefore;
      clearInterval(burst);
      delivering();
      for (const p of paid) await gw.waitCredited(p.paymentId);
      expect(gw.navixy.balanceCents(10003)).toBe(before + paid.reduce((sum, _p, n) => sum + 700 + n, 0));
    } finally {
      clearInterval(burst);
      delivering();
    }
    // Well past a second of burst (the payments' own events were part of it), not one credit was sent meanwhile.
    expect(callsDuringBurst).toBe(0);
    expect(gw.navixy.changeBalanceCalls(10003) - callsBefore).toBe(8);
  }, 30_000);
});
