// The whole Stripe lifecycle: authorize then capture, automatic capture, release, every order of the
// four events, missed webhooks (sweep, resync), abandoned payments, and a person retrying a movement.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { cancelPayment, capturePayment } from "./capture";
import { sweepPayments } from "./sweep";
import { captureDueAuthorizations } from "./capture";
import { needsAttention } from "./attention";
import { resyncEvents } from "./intake/resync-events";
import { retryMovement } from "./retry-movement";
import { asPaymentId, asMovementId } from "../ids";

const skip = databaseUnavailable();
const USERS = Array.from({ length: 40 }, (_, i) => ({ id: 30001 + i, firstName: "Test", lastName: `User${i}`, balance: "100.00" }));

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe.skipIf(skip)("authorize, then capture (PAYMENT_CAPTURE=manual)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { PAYMENT_CAPTURE: "manual", SWEEP_INTERVAL_MS: "3600000" } });
  });
  afterAll(async () => gw?.close());
  beforeEach(() => gw.stripeEmulator.pauseDeliveries(false));

  const authorize = (userId: number, amount: number) => gw.pay(userId, amount);
  const paymentOf = (id: string) => gw.services.db.payment.findUniqueOrThrow({ where: { id }, include: { movements: true } });

  test("an authorization credits nothing; capturing less credits exactly the captured amount", async () => {
    const { paymentId } = await authorize(30001, 5000);
    const authorized = await waitFor(async () => {
      const p = await paymentOf(paymentId);
      return p.status === "authorized" ? p : null;
    });
    expect(authorized.amountCapturable).toBe(5000);
    expect(authorized.authorizedAt).toBeInstanceOf(Date);
    expect(authorized.movements).toHaveLength(0);
    expect(gw.navixy.changeBalanceCalls(30001)).toBe(0);
    const intent = gw.stripeEmulator.paymentIntents().find((p) => p.metadata?.payment_id === paymentId);
    expect(intent?.capture_method).toBe("manual");

    await capturePayment(gw.services, asPaymentId(paymentId), 3000);
    await capturePayment(gw.services, asPaymentId(paymentId), 3000); // idempotent: already captured
    await waitFor(async () => (await paymentOf(paymentId)).movements[0]?.state === "applied", { what: "credit applied" });
    const captured = await paymentOf(paymentId);
    expect(captured).toMatchObject({ status: "succeeded", amountReceived: 3000 });
    expect(captured.movements.map((m) => [m.kind, m.amount])).toEqual([["credit", 3000]]);
    expect(gw.navixy.balanceCents(30001)).toBe(10000 + 3000);
  });

  test("releasing an authorization cancels it and credits nothing", async () => {
    const { paymentId } = await authorize(30002, 2000);
    await waitFor(async () => (await paymentOf(paymentId)).status === "authorized");
    const canceled = await cancelPayment(gw.services, asPaymentId(paymentId));
    expect(canceled.status).toBe("canceled");
    await expect(capturePayment(gw.services, asPaymentId(paymentId))).rejects.toThrow(/canceled, not authorized/);
    await gw.worker!.drain();
    expect((await paymentOf(paymentId)).movements).toHaveLength(0);
    expect(gw.navixy.changeBalanceCalls(30002)).toBe(0);
  });

  test("authorizations about to expire are surfaced, with the action that fixes them", async () => {
    const { paymentId } = await authorize(30003, 1500);
    await waitFor(async () => (await paymentOf(paymentId)).status === "authorized");
    let items = await needsAttention(gw.services);
    expect(items.find((i) => i.paymentId === paymentId)).toMatchObject({ kind: "authorization_waiting", amount: 1500 });
    await gw.services.db.payment.update({ where: { id: paymentId }, data: { authorizedAt: new Date(Date.now() - 6.5 * 86_400_000) } });
    items = await needsAttention(gw.services);
    const item = items.find((i) => i.paymentId === paymentId)!;
    expect(item.kind).toBe("authorization_expiring");
    expect(item.action).toContain(`capture ${paymentId}`);
  });

  test("`npm run payments -- capture <id> <amount>` captures in major units", async () => {
    const { paymentId } = await authorize(30004, 2500);
    await waitFor(async () => (await paymentOf(paymentId)).status === "authorized");
    const root = path.resolve(__dirname, "../..");
    const { stdout } = await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["lib/ops/payments-cli.ts", "capture", paymentId, "12.50"], {
      cwd: root,
      env: { ...process.env, WORKER_IN_SERVER: "false", DEBUG: "1" },
    });
    expect(stdout).toContain(`${paymentId}: succeeded, €12.50 captured`);
    await waitFor(async () => (await paymentOf(paymentId)).movements[0]?.state === "applied", { what: "credit applied" });
    expect(gw.navixy.balanceCents(30004)).toBe(10000 + 1250);
  });

  test("all 24 orders of the four events, each replayed, end in the same balance and ledger", async () => {
    const types = ["payment_intent.payment_failed", "payment_intent.amount_capturable_updated", "payment_intent.succeeded", "charge.refunded"];
    const orders = permutations(types);
    expect(orders).toHaveLength(24);
    for (const [i, order] of orders.entries()) {
      const userId = 30010 + i;
      gw.stripeEmulator.pauseDeliveries(true, "drop");
      const { paymentId, piId, clientSecret } = await gw.createPayment(userId, 4000);
      await gw.confirmAsPayer(piId, clientSecret, "pm_card_chargeDeclined");
      await gw.confirmAsPayer(piId, clientSecret, "pm_card_visa");
      await gw.stripe.paymentIntents.capture(piId, { amount_to_capture: 3500 });
      await gw.stripe.refunds.create({ payment_intent: piId, amount: 1000 });
      gw.stripeEmulator.pauseDeliveries(false);
      const events = gw.stripeEmulator.events().filter((e) => types.includes(e.type) && JSON.stringify(e.data.object).includes(piId));
      expect(events.map((e) => e.type).sort()).toEqual([...types].sort());
      for (const round of [order, order]) {
        for (const type of round) gw.stripeEmulator.resendEvent(events.find((e) => e.type === type)!.id);
        await gw.stripeEmulator.flushDeliveries();
        await gw.worker!.drain();
      }
      const payment = await waitFor(async () => {
        const p = await paymentOf(paymentId);
        return p.movements.length === 2 && p.movements.every((m) => m.state === "applied") ? p : null;
      }, { what: `order ${order.join(" → ")}` });
      expect(payment, order.join(" → ")).toMatchObject({ status: "partially_refunded", amountReceived: 3500, amountRefunded: 1000 });
      expect(payment.movements.map((m) => [m.kind, m.amount]).sort()).toEqual([["credit", 3500], ["debit", 1000]]);
      expect(gw.navixy.balanceCents(userId), order.join(" → ")).toBe(10000 + 3500 - 1000);
      expect(gw.navixy.changeBalanceCalls(userId)).toBe(2);
    }
  });
});

describe.skipIf(skip)("automatic capture (PAYMENT_AUTO_CAPTURE_AFTER=0)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { PAYMENT_CAPTURE: "manual", PAYMENT_AUTO_CAPTURE_AFTER: "0" } });
  });
  afterAll(async () => gw?.close());

  test("the authorization is captured at once and credited", async () => {
    const { paymentId } = await gw.pay(30005, 2200);
    await gw.waitCredited(paymentId);
    expect(gw.navixy.balanceCents(30005)).toBe(10000 + 2200);
    const history = await gw.services.db.paymentStatusChange.findMany({ where: { paymentId }, orderBy: { id: "asc" } });
    expect(history.map((h) => h.toStatus)).toEqual(["created", "awaiting_payment", "authorized", "succeeded"]);
  });
});

describe.skipIf(skip)("missed webhooks", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { SWEEP_INTERVAL_MS: "3600000", SWEEP_AFTER_MS: "1", ABANDON_AFTER_MS: "60000" } });
  });
  afterAll(async () => gw?.close());

  async function paidWithoutWebhooks(userId: number, amount: number) {
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    const paid = await gw.pay(userId, amount);
    await gw.stripeEmulator.flushDeliveries();
    gw.stripeEmulator.pauseDeliveries(false);
    return paid;
  }

  test("the sweep re-reads a payment whose webhook never came, and credits it once", async () => {
    const { paymentId } = await paidWithoutWebhooks(30006, 1800);
    expect(await gw.services.db.stripeEvent.count({ where: { type: "payment_intent.succeeded" } })).toBe(0);
    const report = await sweepPayments(gw.services, new Date(Date.now() + 10));
    expect(report.resynced).toBeGreaterThanOrEqual(1);
    await gw.worker!.drain();
    await gw.waitCredited(paymentId);
    await sweepPayments(gw.services, new Date(Date.now() + 10)); // nothing more happens
    await gw.worker!.drain();
    expect(gw.navixy.balanceCents(30006)).toBe(10000 + 1800);
    expect(gw.navixy.changeBalanceCalls(30006)).toBe(1);
  });

  test("resync stores and processes the events Stripe still lists, once", async () => {
    const { paymentId } = await paidWithoutWebhooks(30007, 900);
    const first = await resyncEvents(gw.services, new Date(Date.now() - 3600_000));
    expect(first.stored).toBeGreaterThanOrEqual(1);
    await gw.worker!.drain();
    await gw.waitCredited(paymentId);
    const second = await resyncEvents(gw.services, new Date(Date.now() - 3600_000));
    expect(second.stored).toBe(0);
    expect(gw.navixy.changeBalanceCalls(30007)).toBe(1);
  });

  test("a payment left unpaid past the limit is canceled in Stripe and marked abandoned", async () => {
    const res = await gw.request("POST", "/api/payments", { userId: 30008, amount: 1000 });
    const report = await sweepPayments(gw.services, new Date(Date.now() + 120_000));
    expect(report.abandoned).toBeGreaterThanOrEqual(1);
    const payment = await gw.services.db.payment.findUniqueOrThrow({ where: { id: res.body.paymentId } });
    expect(payment.status).toBe("abandoned");
    const intent = gw.stripeEmulator.paymentIntents().find((p) => p.id === payment.stripePaymentIntentId);
    expect(intent).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
  });

  test("a person retries a failed movement: it is looked up first, then applied once", async () => {
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "error", code: 13 } });
    const { paymentId } = await gw.pay(30009, 700);
    const failed = await waitFor(() => gw.services.db.balanceMovement.findFirst({ where: { paymentId, state: "failed" } }), { what: "credit refused" });
    expect((await needsAttention(gw.services)).some((i) => i.movementId === failed.id && i.kind === "movement_failed")).toBe(true);
    await retryMovement(gw.services, asMovementId(failed.id));
    await gw.worker!.drain();
    const after = await gw.services.db.balanceMovement.findUniqueOrThrow({ where: { id: failed.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(after.state).toBe("applied");
    expect(after.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["change_balance", "refused"],
      ["transaction_list", "not_found"],
      ["change_balance", "applied"],
    ]);
    expect(gw.navixy.balanceCents(30009)).toBe(10000 + 700);
  });
});

describe.skipIf(skip)("delayed automatic capture (PAYMENT_AUTO_CAPTURE_AFTER=30m)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      users: USERS,
      env: { PAYMENT_CAPTURE: "manual", PAYMENT_AUTO_CAPTURE_AFTER: "30m", SWEEP_INTERVAL_MS: "3600000", SWEEP_AFTER_MS: "1" },
    });
  });
  afterAll(async () => gw?.close());

  test("the authorization is held until the delay has passed, then captured by the capture-due job", async () => {
    const { paymentId } = await gw.pay(30040, 1300);
    await waitFor(async () => (await gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).status === "authorized");

    await captureDueAuthorizations(gw.services, new Date(Date.now() + 10 * 60_000));
    expect((await gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).status).toBe("authorized");

    const report = await captureDueAuthorizations(gw.services, new Date(Date.now() + 31 * 60_000));
    expect(report.captured).toBe(1);
    await gw.waitCredited(paymentId);
    expect(gw.navixy.balanceCents(30040)).toBe(10000 + 1300);
  });
});
