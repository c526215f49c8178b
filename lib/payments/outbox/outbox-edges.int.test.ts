// The edges of exactly-once crediting that the happy paths never reach: two live workers and a claim that
// runs out mid-call, an answer from Navixy we cannot read, an old movement, a user with a long history.
// Every test asserts what a dealer's auditor would: how many times the Navixy balance moved, and what the
// ledger says.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../../dev/testing/harness";
import { LedgerWorker } from "../worker/ledger-worker";
import { NavixyPanelClient } from "../../navixy";
import { handleStripeEvent } from "../intake/handle-stripe-event";
import { claimFields, leaseOn, type Claimant } from "../ledger/claims";
import { getLogger } from "../../logging/logger";
import { sendMovement, type CallLog } from "./send-movement";

const skip = databaseUnavailable();
const DAY = 24 * 3600_000;
const CHANGE_BALANCE = "panel/user/transaction/change_balance";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  /** A Navixy client with a session of its own, as another instance would have. */
  function otherInstanceClient(): NavixyPanelClient {
    const { navixy } = gw.services.config;
    return new NavixyPanelClient({ apiUrl: navixy.apiUrl, login: navixy.login, password: navixy.password, timeoutMs: navixy.timeoutMs });
  }

  /** A second worker with its own Navixy session. */
  function otherInstanceWorker(): LedgerWorker {
    return new LedgerWorker({ ...gw.services, navixy: otherInstanceClient() });
  }

  /** The call log the worker keeps (NavixyCall rows), for a movement sent by hand. */
  function callLogOf(movementId: string): CallLog {
    const { db } = gw.services;
    return {
      record: async (call) => void (await db.navixyCall.create({ data: { movementId, ...call } })),
      begin: async (call) => {
        const { id } = await db.navixyCall.create({ data: { movementId, ...call, outcome: "in_flight", errorCode: null, detail: null, durationMs: 0 } });
        return async (end) => void (await db.navixyCall.update({ where: { id }, data: end }));
      },
    };
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

  test("a new login in the middle of a money call, and the call sent again lands late: the worker that took the row over sends no second credit", async () => {
    const { db } = gw.services;
    const timeoutMs = gw.services.config.navixy.timeoutMs;
    const { paymentId, piId, credit } = await owedCredit(10001, 1700);
    // Worker A, another instance, with a Navixy session of its own.
    const aClient = otherInstanceClient();
    await aClient.readUser(10001);
    // A's credit is refused for an ended session, A's new login takes most of the timeout, and the credit sent
    // again is held at Navixy.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 10001, times: 1, action: { type: "error", code: 4 } });
    gw.navixy.addFault({ method: "panel/account/auth", times: 1, action: { type: "delay", ms: Math.round(0.85 * timeoutMs) } });
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 10001, times: 1, action: { type: "hold" } });
    const heldBefore = gw.navixy.held();
    const aRun = new LedgerWorker({ ...gw.services, navixy: aClient }).runOnce();
    await waitFor(() => gw.navixy.held() > heldBefore, { what: "A's credit sent again, held at Navixy", timeoutMs: 10_000 });
    // A stalls: its lease runs out, and worker B takes the row over while A's call is still on its way.
    await db.balanceMovement.update({ where: { id: credit.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    const b = otherInstanceWorker();
    await b.runOnce();
    // A's client gives up on the call; Navixy applies it a while later (within a timeout of our giving up).
    await aRun;
    const releaseAt = Date.now() + Math.round(0.6 * timeoutMs);
    const release = sleep(releaseAt - Date.now()).then(() => gw.navixy.release({ mode: "process" }));
    const settled = waitFor(async () => {
      await b.runOnce();
      return (await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } })).state === "applied";
    }, { what: "the credit settled", timeoutMs: 20_000, intervalMs: 100 });
    await Promise.all([release, settled]);
    await sleep(300); // a second credit, had one been sent, lands by now

    expect(creditTransactions(10001, piId)).toBe(1);
    const payment = await gw.request("GET", `/api/payments/${paymentId}`);
    expect(payment.body).toMatchObject({ credited: true });
  });

  test("the worker that takes a dead worker's row over finds the credit Navixy applied at once, without waiting out the call", async () => {
    const { db } = gw.services;
    const timeoutMs = gw.services.config.navixy.timeoutMs;
    const { paymentId, piId, credit } = await owedCredit(10002, 2300);
    // Worker A's change_balance reaches Navixy, which applies it, but its answer never reaches A: A died mid-call.
    const { navixy } = gw.services.config;
    const aClient = new NavixyPanelClient({
      apiUrl: navixy.apiUrl,
      login: navixy.login,
      password: navixy.password,
      timeoutMs,
      fetch: async (input, init) => {
        if (!String(input).includes("change_balance")) return fetch(input, init);
        await (await fetch(input, { ...init, signal: null })).arrayBuffer();
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }))),
        );
      },
    });
    const aRun = new LedgerWorker({ ...gw.services, navixy: aClient }).runOnce();
    await waitFor(() => creditTransactions(10002, piId) === 1, { what: "A's credit applied at Navixy" });
    const inFlight = await db.navixyCall.findFirstOrThrow({ where: { movementId: credit.id, outcome: "in_flight" } });
    // A's lease runs out (a crashed worker renews nothing); B takes the row over.
    await db.balanceMovement.update({ where: { id: credit.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    const calls = gw.navixy.changeBalanceCalls(10002);
    await otherInstanceWorker().runOnce();

    // One pass, well inside the call's in-flight window: found, applied, nothing sent.
    expect(Date.now() - inFlight.startedAt.getTime()).toBeLessThan(2 * timeoutMs);
    const row = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(row.state).toBe("applied");
    expect(row.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["change_balance", "unknown"],
      ["transaction_list", "found"],
    ]);
    expect(row.calls[0]!.detail).toMatch(/stopped before recording an answer/);
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(calls);
    expect((await gw.request("GET", `/api/payments/${paymentId}`)).body).toMatchObject({ credited: true });
    // A wakes up at its deadline: it records its own call, never over the row B settled.
    await aRun;
    const after = await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id }, include: { calls: { orderBy: { id: "asc" } } } });
    expect(after).toMatchObject({ state: "applied", version: row.version, leaseOwner: null });
    expect(after.calls[0]).toMatchObject({ method: "change_balance", outcome: "unknown", detail: expect.stringMatching(/no answer within/) });
    expect(creditTransactions(10002, piId)).toBe(1);
  });

  test("a worker that stalls right after its pre-call renewal and is taken over meanwhile: one credit", async () => {
    const { db } = gw.services;
    const { piId, credit } = await owedCredit(10003, 1900);
    const claimant: Claimant = { services: gw.services, id: "worker-stalls", leaseMs: 10_000, log: getLogger() };
    const [row] = await db.balanceMovement.updateManyAndReturn({
      where: { id: credit.id, version: credit.version },
      data: { state: "sending", ...claimFields(claimant) },
    });
    const lease = leaseOn(claimant, "balanceMovement", row!);
    const b = otherInstanceWorker();
    // The renewal reaches the database; then the worker stalls past its lease and B takes the row over.
    const stallingClaim = {
      renew: async (cover?: unknown) => {
        const held = await lease.renew(cover as never);
        await db.balanceMovement.update({ where: { id: credit.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
        await b.runOnce();
        return held;
      },
    };
    try {
      await sendMovement(gw.services, row!, { lookupFirst: false, claim: stallingClaim }, callLogOf(credit.id));
    } finally {
      lease.stop();
    }
    await waitFor(async () => {
      await b.runOnce();
      return (await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } })).state === "applied";
    }, { what: "the credit settled", timeoutMs: 20_000, intervalMs: 100 });
    await sleep(300);
    expect(creditTransactions(10003, piId)).toBe(1);
  });

  test("a worker that finds its claim lost right before sending sends nothing", async () => {
    const { piId, credit } = await owedCredit(10002, 800);
    const calls = gw.navixy.changeBalanceCalls(10002);
    const logged: string[] = [];
    const outcome = await sendMovement(
      gw.services,
      credit,
      { lookupFirst: false, claim: { renew: async () => false } },
      {
        record: async (c) => void logged.push(`${c.method} ${c.outcome}`),
        begin: async (c) => (logged.push(`${c.method} in_flight`), async (end) => void logged.push(`${c.method} ${end.outcome}: ${end.detail}`)),
      },
    );
    expect(outcome).toEqual({ result: "lost" });
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(calls);
    expect(creditTransactions(10002, piId)).toBe(0);
    // Recorded in flight before the claim was checked (a worker taking over then sees it), then as not sent.
    expect(logged).toEqual(["change_balance in_flight", "change_balance error: not sent: another worker had taken the movement over"]);
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

  test("a heartbeat during a money call never shortens the lease below the call's deadline", async () => {
    const { db } = gw.services;
    const timeoutMs = gw.services.config.navixy.timeoutMs;
    const paid = await gw.pay(10002, 900);
    await gw.stripeEmulator.flushDeliveries();
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 10002, times: 1, action: { type: "hold" } });
    const heldBefore = gw.navixy.held();
    const run = new LedgerWorker(gw.services).runOnce();
    await waitFor(() => gw.navixy.held() > heldBefore, { what: "the credit held at Navixy" });
    // Three heartbeats of a 1 s lease while the call is held.
    await sleep(1_100);
    const credit = await db.balanceMovement.findFirstOrThrow({ where: { paymentId: paid.paymentId, kind: "credit" }, include: { calls: true } });
    const call = credit.calls.find((c) => c.method === "change_balance")!;
    expect(call.outcome).toBe("in_flight");
    expect(credit.state).toBe("sending");
    expect(credit.leaseUntil!.getTime()).toBeGreaterThanOrEqual(call.startedAt.getTime() + timeoutMs - 10);
    gw.navixy.release({ mode: "process" });
    await run;
    expect(await db.balanceMovement.findUniqueOrThrow({ where: { id: credit.id } })).toMatchObject({ state: "applied", attempts: 1 });
    expect(gw.navixy.user(10002)!.transactions.filter((t) => t.text.includes(paid.piId)).length).toBe(1);
  });

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
