// The edges of exactly-once crediting that the happy paths never reach: two live workers and a claim that
// runs out mid-call, an answer from Navixy we cannot read, an old movement, a user with a long history.
// Every test asserts what a dealer's auditor would: how many times the Navixy balance moved, and what the
// ledger says.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../../dev/testing/harness";
import { LedgerWorker } from "../worker/ledger-worker";
import { NavixyPanelClient } from "../../navixy";
import { handleStripeEvent } from "../intake/handle-stripe-event";
import { sendMovement } from "./send-movement";

const skip = databaseUnavailable();
const DAY = 24 * 3600_000;

describe.skipIf(skip)("crediting at the edges", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { NAVIXY_TIMEOUT_MS: "1500" } });
  });
  afterAll(async () => gw?.close());
  beforeEach(async () => {
    gw.navixy.clearFaults();
    gw.navixy.release({ mode: "drop" });
    gw.navixy.setTransactionListDefaultLimit(20000);
  });

  /** A paid payment whose credit is owed (the event processed), with no worker having touched the credit. */
  async function owedCredit(userId: number, amount: number) {
    const paid = await gw.pay(userId, amount);
    await gw.stripeEmulator.flushDeliveries();
    const { db } = gw.services;
    for (const stored of await db.stripeEvent.findMany({ where: { status: "received" } })) {
      await handleStripeEvent(gw.services, stored);
      await db.stripeEvent.updateMany({ where: { id: stored.id }, data: { status: "processed" } });
    }
    const credit = await db.balanceMovement.findFirstOrThrow({ where: { paymentId: paid.paymentId, kind: "credit" } });
    return { ...paid, credit };
  }

  /** A second worker with its own Navixy session, as another instance would have. */
  function otherInstanceWorker(): LedgerWorker {
    const { navixy } = gw.services.config;
    const client = new NavixyPanelClient({ apiUrl: navixy.apiUrl, login: navixy.login, password: navixy.password, timeoutMs: navixy.timeoutMs });
    return new LedgerWorker({ ...gw.services, navixy: client });
  }

  const creditTransactions = (userId: number, reference: string) =>
    gw.navixy.user(userId)!.transactions.filter((t) => t.text.includes(reference) && !t.amount.startsWith("-")).length;

  test("a worker whose claim ran out while its call was on the way: the worker that takes over does not send again", async () => {
    const { db } = gw.services;
    const { paymentId, piId, credit } = await owedCredit(10001, 1500);
    const before = gw.navixy.user(10001)!.balance;
    // Worker A's change_balance meets an ended session; its new login hangs (A is stalled mid-call).
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "error", code: 4 } });
    gw.navixy.addFault({ method: "panel/account/auth", times: 1, action: { type: "hold" } });

    const a = new LedgerWorker(gw.services);
    const aRun = a.runOnce();
    await waitFor(() => gw.navixy.held() === 1, { what: "worker A stalled in its login" });
    // A stalls past its lease (a paused process): its claim runs out and the other instance takes the row over.
    await db.balanceMovement.update({ where: { id: credit.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    await otherInstanceWorker().runOnce();
    // A wakes up and finishes its call.
    gw.navixy.release({ mode: "process" });
    await aRun;
    // Whatever is still owed is settled by the next passes (after the in-flight call has had time to land).
    await waitFor(async () => {
      await new LedgerWorker(gw.services).runOnce();
      return (await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } })).state === "applied";
    }, { what: "the credit settled", timeoutMs: 20_000, intervalMs: 250 });

    expect(creditTransactions(10001, piId)).toBe(1);
    expect(Number(gw.navixy.user(10001)!.balance)).toBeCloseTo(Number(before) + 15, 4);
    const payment = await gw.request("GET", `/api/payments/${paymentId}`);
    expect(payment.body).toMatchObject({ credited: true });
  });

  test("a worker that finds its claim lost right before sending sends nothing", async () => {
    const { piId, credit } = await owedCredit(10002, 800);
    const calls = gw.navixy.changeBalanceCalls(10002);
    const logged: string[] = [];
    const outcome = await sendMovement(
      gw.services,
      credit,
      { lookupFirst: false, claim: { renew: async () => false } },
      { record: async (c) => void logged.push(c.method), begin: async (c) => (logged.push(c.method), async () => {}) },
    );
    expect(outcome).toEqual({ result: "lost" });
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(calls);
    expect(creditTransactions(10002, piId)).toBe(0);
    expect(logged).toEqual([]);
    await gw.services.db.balanceMovement.update({ where: { id: credit.id }, data: { state: "canceled" } });
  });

  test("an answer with a code we do not know stays unknown, needs attention, and is looked up, never called refused", async () => {
    const { db } = gw.services;
    const { piId, credit } = await owedCredit(10003, 2100);
    // Navixy applies the change, then answers with a code nobody documented.
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, userId: 10003, action: { type: "error", code: 299, apply: true } });
    await new LedgerWorker(gw.services).runOnce();
    const unknown = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: true } });
    expect(unknown).toMatchObject({ state: "unknown", needsAttention: true, lastErrorCode: 299 });
    expect(unknown.calls.map((c) => [c.method, c.outcome])).toEqual([["change_balance", "unknown"]]);
    const attention = await gw.request("GET", `/api/payments/${credit.paymentId}`);
    expect(attention.body.creditState).toBe("needs_attention");

    await db.balanceMovement.update({ where: { id: credit.id }, data: { nextAttemptAt: new Date() } });
    await new LedgerWorker(gw.services).runOnce();
    const settled = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(settled).toMatchObject({ state: "applied", needsAttention: false });
    expect(settled.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["change_balance", "unknown"],
      ["transaction_list", "found"],
    ]);
    expect(creditTransactions(10003, piId)).toBe(1);
  });

  test("a lookup Navixy refuses leaves the outcome unknown, never failed", async () => {
    const { db } = gw.services;
    const { piId, credit } = await owedCredit(10001, 650);
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "drop_after_apply" } });
    gw.navixy.addFault({ method: "panel/user/transaction/list", times: 1, action: { type: "error", code: 211 } });
    await new LedgerWorker(gw.services).runOnce(); // the call: dropped after Navixy applied it
    await db.balanceMovement.update({ where: { id: credit.id }, data: { nextAttemptAt: new Date() } });
    await new LedgerWorker(gw.services).runOnce(); // the lookup: refused
    const row = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } });
    expect(row).toMatchObject({ state: "unknown", needsAttention: true, lastErrorCode: 211 });

    await db.balanceMovement.update({ where: { id: credit.id }, data: { nextAttemptAt: new Date() } });
    await new LedgerWorker(gw.services).runOnce();
    expect(await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } })).toMatchObject({ state: "applied" });
    expect(creditTransactions(10001, piId)).toBe(1);
  });

  test("a 40-day-old movement whose outcome was never known is found by its attempt's time", async () => {
    const { db } = gw.services;
    const { piId, credit } = await owedCredit(10002, 3300);
    const longAgo = new Date(Date.now() - 40 * DAY);
    // What an old row looks like: its call 40 days ago timed out, Navixy applied it, and nobody knew.
    await db.balanceMovement.update({ where: { id: credit.id }, data: { state: "unknown", createdAt: longAgo, attempts: 1, nextAttemptAt: new Date() } });
    await db.navixyCall.create({
      data: { movementId: credit.id, method: "change_balance", outcome: "unknown", startedAt: longAgo, durationMs: 1500, detail: "timeout" },
    });
    gw.navixy.addTransactions(10002, [{ at: new Date(longAgo.getTime() + 800), amountCents: 3300, text: credit.text }]);
    const calls = gw.navixy.changeBalanceCalls(10002);

    await new LedgerWorker(gw.services).runOnce();
    const row = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(row.state).toBe("applied");
    expect(row.calls.at(-1)).toMatchObject({ method: "transaction_list", outcome: "found" });
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(calls);
    expect(creditTransactions(10002, piId)).toBe(1);
  });

  test("a user with thousands of fee transactions around the credit: the lookup pages through them and finds it", async () => {
    const { db } = gw.services;
    // Navixy may cut a list short: here it answers at most 1,000 rows unless asked for more.
    gw.navixy.setTransactionListDefaultLimit(1000);
    const { piId, credit } = await owedCredit(10003, 1999);
    const now = Date.now();
    const fees = Array.from({ length: 3000 }, (_, i) => ({
      at: new Date(now - 6 * 3600_000 + i * 1000),
      amountCents: -1,
      text: `Daily fee for tracker #${i}`,
      subtype: "tariff",
    }));
    gw.navixy.addTransactions(10003, fees);
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "drop_after_apply" } });
    await new LedgerWorker(gw.services).runOnce();
    // More fees after the credit too.
    gw.navixy.addTransactions(10003, fees.map((f, i) => ({ ...f, at: new Date(now + 5_000 + i * 1000) })));
    await db.balanceMovement.update({ where: { id: credit.id }, data: { nextAttemptAt: new Date() } });
    await new LedgerWorker(gw.services).runOnce();

    const row = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(row.state).toBe("applied");
    expect(row.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["change_balance", "unknown"],
      ["transaction_list", "found"],
    ]);
    expect(creditTransactions(10003, piId)).toBe(1);
  });
});

describe.skipIf(skip)("two live workers and a slow Navixy", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { NAVIXY_TIMEOUT_MS: "4000", WORKER_LEASE_MS: "1000" } });
  });
  afterAll(async () => gw?.close());

  test("a row that takes longer than the lease keeps its claim: the other worker never takes it over", async () => {
    const { db } = gw.services;
    const paid = await gw.pay(10001, 1200);
    await gw.stripeEmulator.flushDeliveries();
    const first = new LedgerWorker(gw.services);
    const second = new LedgerWorker(gw.services);
    // Every Navixy answer for this credit takes 2.5 s: the row takes far longer than one lease (1 s).
    gw.navixy.addFault({ method: "panel/user/transaction/change_balance", times: 1, action: { type: "delay", ms: 2500 } });
    const before = gw.navixy.changeBalanceCalls(10001);
    const firstRun = first.runOnce(); // the event, then the credit it owes
    let secondWorked = 0;
    const polling = (async () => {
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 150));
        const credit = await db.balanceMovement.findFirst({ where: { paymentId: paid.paymentId } });
        if (credit?.state === "sending") secondWorked += await second.runOnce();
      }
    })();
    await Promise.all([firstRun, polling]);

    const credit = await db.balanceMovement.findFirstOrThrow({ where: { paymentId: paid.paymentId }, include: { calls: true } });
    expect(credit).toMatchObject({ state: "applied", attempts: 1 });
    expect(credit.calls.map((c) => [c.method, c.outcome])).toEqual([["change_balance", "applied"]]);
    expect(secondWorked).toBe(0);
    expect(gw.navixy.changeBalanceCalls(10001)).toBe(before + 1);
  });
});
