// charge.refunded: refunds debit the Navixy balance once per Stripe refund, in any order of events,
// and a refund of money that never reached the balance takes it off the owed credit instead.
// refund.failed / charge.refund.updated: a refund that fails later owes back what its debit took, once.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { needsAttention } from "./attention";
import { retryMovement } from "./retry-movement";
import { REFUND_RECHECK_MS, REFUND_WATCH_MS, sweepPayments } from "./sweep";
import { asMovementId, asPaymentIntentId } from "../ids";
import { syncPaymentIntent } from "./sync-payment-intent";

const CHANGE_BALANCE = "panel/user/transaction/change_balance";
const TRANSACTION_LIST = "panel/user/transaction/list";

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
        { id: 20007, firstName: "Frances", lastName: "Allen", balance: "10.00" },
        { id: 20008, firstName: "John", lastName: "Backus", balance: "10.00" },
        { id: 20009, firstName: "Ken", lastName: "Thompson", balance: "10.00" },
        { id: 20010, firstName: "Dennis", lastName: "Ritchie", balance: "10.00" },
        { id: 20011, firstName: "Niklaus", lastName: "Wirth", balance: "10.00" },
        { id: 20012, firstName: "Tony", lastName: "Hoare", balance: "10.00" },
        { id: 20013, firstName: "Adele", lastName: "Goldberg", balance: "10.00" },
        { id: 20014, firstName: "Margaret", lastName: "Hamilton", balance: "10.00" },
        { id: 20015, firstName: "Leslie", lastName: "Lamport", balance: "10.00" },
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
  /** A payment credited and refunded (its debit applied), then the refund fails at Stripe and none of its events arrive. */
  const refundFailingWithoutItsEvents = async (userId: number, amount: number) => {
    const { paymentId, piId } = await pay(userId, amount);
    await settled(paymentId, 1);
    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    await settled(paymentId, 2);
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    gw.stripeEmulator.failRefund(refund.id);
    await gw.stripeEmulator.flushDeliveries();
    gw.stripeEmulator.pauseDeliveries(false);
    expect(await gw.services.db.stripeEvent.count({ where: { objectId: refund.id, type: { in: ["refund.failed", "charge.refund.updated"] } } })).toBe(0);
    return { paymentId, piId, refund };
  };

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

  // ---- refunds that fail later (refund.failed, charge.refund.updated) ----

  /** Every event Stripe sent about this payment or its refunds. */
  const eventsOf = (piId: string) =>
    gw.stripeEmulator.events().filter((e) => {
      const o = e.data.object as { id?: string; payment_intent?: string | null };
      return o.id === piId || o.payment_intent === piId;
    });
  /** Navixy transactions whose text carries `reference`, as signed amounts in cents. */
  const navixyChanges = (userId: number, reference: string) =>
    (gw.navixy.user(userId)?.transactions ?? []).filter((t) => t.text.includes(reference)).map((t) => Math.round(Number(t.amount) * 100));
  /** `npm run payments -- <args>` against this gateway's database; its output. */
  const cli = async (...args: string[]) => {
    const root = path.resolve(__dirname, "../..");
    const { stdout } = await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["lib/ops/payments-cli.ts", ...args], {
      cwd: root,
      env: { ...process.env, WORKER_IN_SERVER: "false" },
    });
    return stdout;
  };
  const redeliver = async (events: Stripe.Event[]) => {
    for (const e of events) gw.stripeEmulator.resendEvent(e.id);
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
  };

  test("a refund that fails after its debit was applied is credited back once, whatever is replayed, and a person is told", async () => {
    const { paymentId, piId } = await pay(20007, 2500);
    await settled(paymentId, 1);
    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    await settled(paymentId, 2);
    expect(gw.navixy.balanceCents(20007)).toBe(1000);

    gw.stripeEmulator.failRefund(refund.id, "expired_or_canceled_card");
    const list = await settled(paymentId, 3);
    expect(list.map((m) => [m.kind, m.amount, m.state, m.idempotencyKey])).toEqual([
      ["credit", 2500, "applied", `credit:${piId}`],
      ["debit", 2500, "applied", `debit:${refund.id}`],
      ["credit", 2500, "applied", `refund-reversal:${refund.id}`],
    ]);
    expect(list[2]).toMatchObject({ navixyAmount: "25.00", reference: refund.id });
    expect(list[2]!.text).toContain(refund.id);
    expect(list[2]!.text).not.toContain(piId); // never mistaken for the payment's own credit in a lookup
    expect(gw.navixy.balanceCents(20007)).toBe(3500);

    // Every event of the payment again, twice, newest first: nothing more moves.
    const events = eventsOf(piId).reverse();
    await redeliver([...events, ...events]);
    expect(await movements(paymentId)).toHaveLength(3);
    expect(navixyChanges(20007, refund.id)).toEqual([-2500, 2500]);
    expect(gw.navixy.balanceCents(20007)).toBe(3500);
    expect(await payment(paymentId)).toMatchObject({ amountRefunded: 0 });

    const items = (await needsAttention(gw.services)).filter((i) => i.paymentId === paymentId);
    expect(items).toMatchObject([{ kind: "refund_failed", movementId: list[1]!.id, amount: 2500 }]);
    expect(items[0]!.reason).toMatch(/expired_or_canceled_card/);
    expect(items[0]!.reason).toMatch(/credited back/);

    // The operator's command shows it, and marks it handled: the debit stays applied, the note leaves the list.
    const shown = await cli("attention");
    expect(shown).toContain(`refund_failed  ${paymentId} ${list[1]!.id}`);
    expect(await cli("resolve", list[1]!.id, "applied", "refunded", "by", "bank", "transfer")).toContain(`${list[1]!.id}: applied`);
    expect((await needsAttention(gw.services)).filter((i) => i.paymentId === paymentId)).toEqual([]);
    expect(await gw.services.db.balanceMovement.findUniqueOrThrow({ where: { id: list[1]!.id } })).toMatchObject({ state: "applied", needsAttention: false });
    expect(await gw.services.db.auditLog.findFirst({ where: { target: list[1]!.id, action: "movement.resolve" } })).toMatchObject({ actor: "cli", comment: "refunded by bank transfer" });
    expect(gw.navixy.balanceCents(20007)).toBe(3500);
  });

  test("a debit an earlier version left for a person to credit back by hand is not credited back again", async () => {
    const { paymentId, piId } = await pay(20014, 2000);
    await settled(paymentId, 1);
    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    const [, debit] = await settled(paymentId, 2);
    // What the earlier version wrote when it saw the refund failed after the debit.
    await gw.services.db.balanceMovement.update({
      where: { id: debit!.id },
      data: { needsAttention: true, lastError: `refund ${refund.id} failed after its debit: credit it back by hand` },
    });
    gw.stripeEmulator.failRefund(refund.id, "expired_or_canceled_card");
    const item = await waitFor(async () => (await needsAttention(gw.services)).find((i) => i.paymentId === paymentId && i.kind === "refund_failed"), {
      what: "the failed refund listed for a person",
    });
    expect(item.reason).toMatch(/credit it back by hand if it is not there/);
    await gw.worker!.drain();
    expect((await movements(paymentId)).map((m) => m.idempotencyKey)).toEqual([`credit:${piId}`, `debit:${refund.id}`]);
    expect(gw.navixy.balanceCents(20014)).toBe(1000);
  });

  test("refund.failed arriving before charge.refunded and before the payment's own events: nothing is debited", async () => {
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    const { paymentId, piId } = await pay(20008, 1800);
    const refund = await gw.stripe.refunds.create({ payment_intent: piId, amount: 800 });
    gw.stripeEmulator.failRefund(refund.id);
    gw.stripeEmulator.pauseDeliveries(false);
    const events = eventsOf(piId);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["payment_intent.succeeded", "charge.refunded", "charge.refund.updated", "refund.failed"]));
    await redeliver([...events].reverse());
    await redeliver(events);
    const list = await settled(paymentId, 2);
    expect(list.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 1800, "applied"],
      ["debit", 800, "canceled"],
    ]);
    expect(list[1]!.lastError).toMatch(/failed/);
    expect(gw.navixy.changeBalanceCalls(20008)).toBe(1);
    expect(gw.navixy.balanceCents(20008)).toBe(2800);
    expect(await payment(paymentId)).toMatchObject({ amountRefunded: 0 });
  });

  test("a refund that fails while its debit's outcome at Navixy is unknown waits for the debit, then credits it back once", async () => {
    const { paymentId, piId } = await pay(20009, 2000);
    await settled(paymentId, 1);
    // The debit is applied but its answer is lost; the lookups fail for a while, so it stays unknown.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 20009, times: 1, action: { type: "drop_after_apply" } });
    gw.navixy.addFault({ method: TRANSACTION_LIST, userId: 20009, times: 2, action: { type: "error", code: 15 } });
    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    const debitKey = `debit:${refund.id}`;
    await waitFor(async () => (await gw.services.db.balanceMovement.findUnique({ where: { idempotencyKey: debitKey } }))?.state === "unknown", { what: "debit unknown" });

    gw.stripeEmulator.failRefund(refund.id);
    await gw.stripeEmulator.flushDeliveries();
    await waitFor(async () => (await gw.services.db.stripeEvent.findFirst({ where: { type: "refund.failed", objectId: refund.id } }))?.attempts, { what: "refund.failed processed" });
    const waiting = await gw.services.db.balanceMovement.findUniqueOrThrow({ where: { idempotencyKey: debitKey } });
    expect(["unknown", "sending"]).toContain(waiting.state); // neither canceled nor handed to a person
    expect(waiting.needsAttention).toBe(false);
    expect(await gw.services.db.balanceMovement.count({ where: { idempotencyKey: `refund-reversal:${refund.id}` } })).toBe(0);

    const list = await waitFor(
      async () => {
        const all = await movements(paymentId);
        return all.length === 3 && all.every((m) => m.state === "applied") ? all : null;
      },
      { what: "debit found applied and credited back", timeoutMs: 30_000 },
    );
    expect(list.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 2000, "applied"],
      ["debit", 2000, "applied"],
      ["credit", 2000, "applied"],
    ]);
    expect(navixyChanges(20009, refund.id)).toEqual([-2000, 2000]);
    expect(gw.navixy.balanceCents(20009)).toBe(3000);
  });

  test("a refund that fails while Navixy refuses its debit (balance too low) cancels the debit: nothing to credit back", async () => {
    const { paymentId, piId } = await pay(20010, 2000);
    await settled(paymentId, 1);
    gw.navixy.setUsers([{ id: 20010, firstName: "Dennis", lastName: "Ritchie", balance: "5.00" }]);
    const refund = await gw.stripe.refunds.create({ payment_intent: piId });
    const [, refused] = await settled(paymentId, 2);
    expect(refused).toMatchObject({ state: "failed", lastErrorCode: 251 });

    gw.stripeEmulator.failRefund(refund.id, "lost_or_stolen_card");
    await waitFor(async () => (await gw.services.db.balanceMovement.findUniqueOrThrow({ where: { id: refused!.id } })).state === "canceled", { what: "debit canceled" });
    await gw.stripeEmulator.flushDeliveries();
    await gw.worker!.drain();
    expect(await movements(paymentId)).toHaveLength(2);
    expect(gw.navixy.balanceCents(20010)).toBe(500);
    expect(gw.navixy.changeBalanceCalls(20010)).toBe(1);
    // No longer a debit to retry: what is left for a person is the payer who got no refund.
    const items = (await needsAttention(gw.services)).filter((i) => i.paymentId === paymentId);
    expect(items.map((i) => i.kind)).toEqual(["refund_failed"]);
    expect(items[0]!.reason).toMatch(/lost_or_stolen_card/);
  });

  test("a refund while the credit's outcome at Navixy is unknown: the credit is neither canceled nor reduced, the debit waits for it", async () => {
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 20011, times: 1, action: { type: "drop_after_apply" } });
    gw.navixy.addFault({ method: TRANSACTION_LIST, userId: 20011, times: 2, action: { type: "error", code: 15 } });
    const { paymentId, piId } = await pay(20011, 3000);
    await waitFor(async () => (await movements(paymentId))[0]?.state === "unknown", { what: "credit unknown" });
    await gw.stripe.refunds.create({ payment_intent: piId, amount: 1000 });
    await waitFor(async () => (await movements(paymentId)).length === 2, { what: "refund recorded" });
    const [credit, debit] = await movements(paymentId);
    expect(credit).toMatchObject({ amount: 3000, navixyAmount: "30.00" });
    expect(["unknown", "sending"]).toContain(credit!.state);
    expect(debit).toMatchObject({ kind: "debit", amount: 1000, state: expect.stringMatching(/^(pending|sending)$/) });

    const list = await settled(paymentId, 2);
    expect(list.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 3000, "applied"],
      ["debit", 1000, "applied"],
    ]);
    expect(gw.navixy.changeBalanceCalls(20011)).toBe(2); // the credit was never sent twice
    expect(gw.navixy.balanceCents(20011)).toBe(1000 + 3000 - 1000);
  });

  test("a refund taken off a failing credit, then failed at Stripe, owes that amount back", async () => {
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 20012, always: true, action: { type: "error", code: 13 } });
    const { paymentId, piId } = await pay(20012, 3000);
    await waitFor(async () => (await movements(paymentId))[0]?.state === "failed", { what: "credit refused" });
    const refund = await gw.stripe.refunds.create({ payment_intent: piId, amount: 1000 });
    const [reduced, absorbed] = await settled(paymentId, 2);
    expect(reduced).toMatchObject({ state: "failed", amount: 2000 });
    expect(absorbed).toMatchObject({ kind: "debit", state: "canceled" });

    gw.stripeEmulator.failRefund(refund.id);
    const [, , back] = await settled(paymentId, 3);
    expect(back).toMatchObject({ kind: "credit", amount: 1000, idempotencyKey: `refund-reversal:${refund.id}`, state: "failed" }); // Navixy still refuses
    gw.navixy.clearFaults();
    await retryMovement(gw.services, asMovementId(reduced!.id));
    await retryMovement(gw.services, asMovementId(back!.id));
    await gw.worker!.drain();
    expect((await movements(paymentId)).map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 2000, "applied"],
      ["debit", 1000, "canceled"],
      ["credit", 1000, "applied"],
    ]);
    expect(gw.navixy.balanceCents(20012)).toBe(1000 + 3000);
  });

  test("any sync of a payment the ledger records refunds of reads them again: a failed refund whose events never came is credited back", async () => {
    const { paymentId, piId, refund } = await refundFailingWithoutItsEvents(20015, 1200);

    // The payer's return page (or a payment_intent.succeeded redelivered) syncs without asking for refunds.
    const outcome = await syncPaymentIntent(gw.services, asPaymentIntentId(piId), "return");
    expect(outcome).toMatchObject({ kind: "synced", payment: { amountRefunded: 0 } });
    const list = await settled(paymentId, 3);
    expect(list.map((m) => [m.kind, m.amount, m.state, m.idempotencyKey])).toEqual([
      ["credit", 1200, "applied", `credit:${piId}`],
      ["debit", 1200, "applied", `debit:${refund.id}`],
      ["credit", 1200, "applied", `refund-reversal:${refund.id}`],
    ]);
    expect(navixyChanges(20015, refund.id)).toEqual([-1200, 1200]);
  });

  // Last: the sweeps here read the clock ahead, which other refunded payments of this file see too.
  test("the sweep re-reads recently refunded payments: a refund.failed that never arrived is still credited back", async () => {
    const { paymentId, piId, refund } = await refundFailingWithoutItsEvents(20013, 1500);

    await sweepPayments(gw.services, new Date(Date.now() + 60_000)); // read minutes ago: not yet
    await sweepPayments(gw.services, new Date(Date.now() + REFUND_WATCH_MS + 86_400_000)); // refunded too long ago: never
    await gw.worker!.drain();
    expect(await movements(paymentId)).toHaveLength(2);

    await sweepPayments(gw.services, new Date(Date.now() + REFUND_RECHECK_MS + 60_000));
    const list = await settled(paymentId, 3);
    expect(list.map((m) => [m.kind, m.amount, m.state, m.idempotencyKey])).toEqual([
      ["credit", 1500, "applied", `credit:${piId}`],
      ["debit", 1500, "applied", `debit:${refund.id}`],
      ["credit", 1500, "applied", `refund-reversal:${refund.id}`],
    ]);
    expect(gw.navixy.balanceCents(20013)).toBe(2500);
    expect(navixyChanges(20013, refund.id)).toEqual([-1500, 1500]);
  });
});
