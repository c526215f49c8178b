// The three-way reconciliation over real HTTP: the app takes payments through the Stripe emulator and credits the
// Navixy emulator; then each kind of difference is planted as it happens in life (a charge by another tool, a credit
// Navixy refused, a hand change in the Admin Panel with our text, a lost webhook, a dispute, a failed refund...) and
// the reconciliation must find exactly those.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { resolveMovement } from "../admin/actions";
import { exportBooks, reconcileDayNow, reconciliationCalendar, reconciliationOfDay } from "../admin/reconciliation";
import { newId } from "../ids";
import { creditText } from "../payments/sync-payment-intent";
import { workQueues } from "../server/start";
import { endedDays, nextNightlyAt, nightlyReconciliationTask, RECONCILE_TASK, scheduleNightlyReconciliation, scheduleNightlyReconciliations } from "./nightly";
import { dayWithDifferences, reconcilePeriod } from "./run";
import { SourceUnavailable } from "./sources";
import type { Period } from "./period";
import type { DifferenceClass, ReconciliationResult } from "./types";

const CHANGE_BALANCE = "panel/user/transaction/change_balance";
const users = Array.from({ length: 20 }, (_, i) => ({ id: 30001 + i, firstName: "Payer", lastName: String(i + 1), balance: "50.00" }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next whole second: periods of these tests are whole seconds apart, so no test sees another's money. */
async function nextSecond(): Promise<Date> {
  await sleep(1000 - (Date.now() % 1000) + 5);
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

describe.skipIf(databaseUnavailable())("reconciliation of Stripe, the ledger and Navixy", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users });
  });
  afterAll(async () => gw?.close());
  beforeEach(async () => {
    gw.navixy.clearFaults();
    await gw.navixy.setOutage(false);
    gw.stripeEmulator.pauseDeliveries(false);
  });

  let n = 0;
  let cleanPayment: { paymentId: string; piId: string } | undefined;
  const periodFrom = (start: Date, end: Date): Period => ({ start, end, label: `test-${++n}`, timeZone: "UTC" });
  const movements = (paymentId: string) => gw.services.db.balanceMovement.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
  const settled = (paymentId: string, count: number) =>
    waitFor(
      async () => {
        const list = await movements(paymentId);
        return list.length === count && list.every((m) => m.state === "applied" || m.state === "canceled" || m.state === "failed") ? list : null;
      },
      { what: `${count} settled movements` },
    );
  const paid = async (userId: number, amount: number) => {
    const p = await gw.pay(userId, amount);
    await settled(p.paymentId, 1);
    return p;
  };
  const reconcile = async (period: Period): Promise<ReconciliationResult> => {
    const outcome = await reconcilePeriod(gw.services, period);
    if (outcome.state !== "finished") throw new Error(`run ${outcome.runId} did not finish`);
    return outcome.result;
  };
  const classes = (r: ReconciliationResult) => r.differences.map((d) => d.class).sort();

  test("a clean period of payments and refunds is balanced, with Stripe's gross, fees and net and the ledger's credits and debits", async () => {
    const start = await nextSecond();
    const a = await paid(30001, 2500);
    const b = await paid(30002, 1000);
    const c = await paid(30001, 4000);
    await gw.stripe.refunds.create({ payment_intent: b.piId, amount: 400 });
    await gw.stripe.refunds.create({ payment_intent: c.piId });
    await settled(b.paymentId, 2);
    await settled(c.paymentId, 2);
    const end = await nextSecond();

    const result = await reconcile(periodFrom(start, end));
    expect(result.differences).toEqual([]);
    expect(result.balanced).toBe(true);
    const fee = (x: number) => Math.round((x * 29) / 1000) + 30;
    expect(result.totals["eur"]).toMatchObject({
      payments: 3,
      gross: 7500,
      fees: fee(2500) + fee(1000) + fee(4000),
      net: 7500 - fee(2500) - fee(1000) - fee(4000) - 4400,
      refunded: 4400,
      credited: 7500,
      debited: 4400,
      navixyCredited: 7500,
      navixyDebited: 4400,
    });
    expect(result.read).toMatchObject({ stripeTransactions: 5, ledgerMovements: 5, navixyUsers: 2 });
    expect(a.piId).toMatch(/^pi_/);
    cleanPayment = a;
    // The finished run is the answer for its period; `again` makes a new run.
    const stored = await reconcilePeriod(gw.services, periodFrom(start, end));
    expect(stored).toMatchObject({ state: "finished", result: { runId: result.runId } });
  });

  test("each planted difference is found, exactly, with its ids and amounts", async () => {
    const start = await nextSecond();
    const fine = await paid(30001, 2500);

    // Money in Stripe that is not the gateway's: a PaymentIntent made on the same account by another tool.
    const foreign = await gw.stripe.paymentIntents.create({ amount: 1234, currency: "eur", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa" });

    // Navixy refuses the credit: paid, not credited.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 30003, always: true, action: { type: "error", code: 13 } });
    const refused = await paid(30003, 2000);

    // Refused too, then an operator resolves it "applied" though nothing reached Navixy.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 30004, always: true, action: { type: "error", code: 13 } });
    const resolvedWrongly = await paid(30004, 3000);
    const [credit4] = await movements(resolvedWrongly.paymentId);
    await resolveMovement(gw.services, { actor: "test", ip: null }, { movementId: credit4!.id, appliedInNavixy: true, comment: "done in Navixy" });

    // Refused, then credited by hand in the Admin Panel with our text but another amount, and resolved.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 30005, always: true, action: { type: "error", code: 13 } });
    const byHandWrongAmount = await paid(30005, 2500);
    gw.navixy.addTransactions(30005, [{ at: new Date(), amountCents: 1000, text: creditText(byHandWrongAmount.piId) }]);
    const [credit5] = await movements(byHandWrongAmount.paymentId);
    await resolveMovement(gw.services, { actor: "test", ip: null }, { movementId: credit5!.id, appliedInNavixy: true, comment: "credited by hand" });

    // Credited by the gateway, and once more by hand with the same text: a double credit.
    const doubled = await paid(30006, 1500);
    gw.navixy.addTransactions(30006, [{ at: new Date(), amountCents: 1500, text: creditText(doubled.piId) }]);

    // The payer's bank disputes a payment.
    const disputed = await paid(30007, 4000);
    const charge7 = (await gw.stripe.paymentIntents.retrieve(disputed.piId)).latest_charge as string;
    const dispute = gw.stripeEmulator.disputeCharge(charge7);

    // A refund whose webhook never came.
    const lostRefund = await paid(30008, 3500);
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    const refund8 = await gw.stripe.refunds.create({ payment_intent: lostRefund.piId, amount: 1500 });
    gw.stripeEmulator.pauseDeliveries(false);

    // A refund debited, which then failed at Stripe, and its failure never came: the debit has no refund behind it.
    const failedRefund = await paid(30009, 2000);
    const refund9 = await gw.stripe.refunds.create({ payment_intent: failedRefund.piId, amount: 800 });
    await settled(failedRefund.paymentId, 2);
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    gw.stripeEmulator.failRefund(refund9.id);
    gw.stripeEmulator.pauseDeliveries(false);

    // Navixy refuses a refund's debit, and it is resolved "applied" though nothing left the balance.
    const debitRefused = await paid(30010, 2000);
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 30010, always: true, action: { type: "error", code: 13 } });
    const refund10 = await gw.stripe.refunds.create({ payment_intent: debitRefused.piId, amount: 700 });
    const [, debit10] = await settled(debitRefused.paymentId, 2);
    await resolveMovement(gw.services, { actor: "test", ip: null }, { movementId: debit10!.id, appliedInNavixy: true, comment: "debited by hand" });

    // A credit in the ledger with no money in Stripe behind it (a row written by hand, or by a bug).
    const ghostIntent = `pi_${"G".repeat(24)}`;
    const ghost = await gw.services.db.payment.create({
      data: {
        id: newId("pay"),
        navixyUserId: 30011,
        amount: 1200,
        currency: "eur",
        status: "succeeded",
        stripePaymentIntentId: ghostIntent,
        amountReceived: 1200,
        movements: {
          create: {
            id: newId("mv"),
            kind: "credit",
            navixyUserId: 30011,
            amount: 1200,
            currency: "eur",
            navixyAmount: "12.00",
            reference: ghostIntent,
            text: creditText(ghostIntent),
            idempotencyKey: `credit:${ghostIntent}`,
            state: "applied",
            appliedAt: new Date(),
          },
        },
      },
      include: { movements: true },
    });
    gw.navixy.addTransactions(30011, [{ at: new Date(), amountCents: 1200, text: creditText(ghostIntent) }]);
    const end = await nextSecond();

    const result = await reconcile(periodFrom(start, end));
    expect(classes(result)).toEqual(
      [
        "amount_or_currency_mismatch",
        "credited_without_navixy",
        "credited_without_stripe_charge",
        "debit_without_refund",
        "debited_without_navixy",
        "navixy_without_movement",
        "paid_not_credited",
        "refund_or_dispute_not_debited",
        "refund_or_dispute_not_debited",
        "stripe_without_payment",
      ] satisfies DifferenceClass[],
    );
    expect(result.balanced).toBe(false);
    const of = (cls: DifferenceClass) => result.differences.filter((d) => d.class === cls);
    expect(of("stripe_without_payment")[0]).toMatchObject({ paymentIntentId: foreign.id, amount: 1234, currency: "eur" });
    expect(of("paid_not_credited")[0]).toMatchObject({ paymentId: refused.paymentId, amount: 2000 });
    expect(of("credited_without_navixy")[0]).toMatchObject({ paymentId: resolvedWrongly.paymentId, movementId: credit4!.id, navixyUserId: 30004, amount: 3000 });
    expect(of("amount_or_currency_mismatch")[0]).toMatchObject({ paymentId: byHandWrongAmount.paymentId, amount: 2500, otherAmount: 1000 });
    expect(of("navixy_without_movement")[0]).toMatchObject({ paymentId: doubled.paymentId, navixyUserId: 30006, amount: 1500 });
    expect(of("refund_or_dispute_not_debited").map((d) => [d.paymentId, d.stripeId, d.amount]).sort()).toEqual(
      [
        [disputed.paymentId, dispute.id, 4000],
        [lostRefund.paymentId, refund8.id, 1500],
      ].sort(),
    );
    expect(of("debit_without_refund")[0]).toMatchObject({ paymentId: failedRefund.paymentId, stripeId: refund9.id, amount: 800 });
    expect(of("debited_without_navixy")[0]).toMatchObject({ paymentId: debitRefused.paymentId, stripeId: refund10.id, amount: 700 });
    expect(of("credited_without_stripe_charge")[0]).toMatchObject({ paymentId: ghost.id, movementId: ghost.movements[0]!.id, amount: 1200 });
    for (const d of result.differences) expect(d.action.length).toBeGreaterThan(10);
    expect(result.differences.some((d) => d.paymentId === fine.paymentId)).toBe(false);
    // The dispute's fee is Stripe's too.
    expect(result.totals["eur"]!.disputed).toBe(4000);

    // The stored result is what an alert about a day with differences reads.
    expect((await dayWithDifferences(gw.services, result.label))?.runId).toBe(result.runId);
  });

  test("a change that lands in Navixy after midnight is explained by its movement of the day before, in both days", async () => {
    const start = await nextSecond();
    // Refused, resolved as applied before midnight, made by hand in Navixy just after.
    gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 30014, always: true, action: { type: "error", code: 13 } });
    const p = await paid(30014, 1800);
    const [credit] = await movements(p.paymentId);
    await resolveMovement(gw.services, { actor: "test", ip: null }, { movementId: credit!.id, appliedInNavixy: true, comment: "credited by hand" });
    const midnight = await nextSecond();
    gw.navixy.addTransactions(30014, [{ at: new Date(), amountCents: 1800, text: creditText(p.piId) }]);
    gw.navixy.clearFaults();
    await paid(30014, 500); // the user pays again after midnight: the day reads their Navixy transactions
    const end = await nextSecond();

    const before = await reconcile(periodFrom(start, midnight));
    expect(before.differences).toEqual([]);
    const after = await reconcile(periodFrom(midnight, end));
    expect(after.differences).toEqual([]);
    expect(after.totals["eur"]).toMatchObject({ navixyCredited: 2300, credited: 500, gross: 500 });
  });

  test("a Navixy read that times out or drops its connection is asked again, and the run finishes", async () => {
    const start = await nextSecond();
    await paid(30015, 2100);
    const end = await nextSecond();
    gw.navixy.addFault({ method: "panel/user/transaction/list", userId: 30015, action: { type: "delay", ms: 1500 } }); // past NAVIXY_TIMEOUT_MS
    gw.navixy.addFault({ method: "panel/user/transaction/list", userId: 30015, action: { type: "drop_before_apply" } });
    const result = await reconcile(periodFrom(start, end));
    expect(result.differences).toEqual([]);
    expect(result.totals["eur"]).toMatchObject({ credited: 2100, navixyCredited: 2100 });
    expect(gw.navixy.faults()).toEqual([]);
  });

  test("a source that cannot be read stops the run where it was; started again, it continues and finishes", async () => {
    const start = await nextSecond();
    await paid(30012, 2500);
    await paid(30013, 1500);
    const end = await nextSecond();
    const period = periodFrom(start, end);

    await gw.navixy.setOutage(true);
    const error = await reconcilePeriod(gw.services, period).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailable);
    expect((error as SourceUnavailable).source).toBe("navixy");
    const stopped = await gw.services.db.reconciliationRun.findFirstOrThrow({ where: { label: period.label } });
    expect(stopped).toMatchObject({ status: "running", phase: "navixy", leaseOwner: null });
    expect(stopped.lastError).toMatch(/Navixy could not be read/);
    expect(await gw.services.db.reconciliationEntry.count({ where: { runId: stopped.id, source: "stripe" } })).toBe(2);

    await gw.navixy.setOutage(false);
    const result = await reconcile(period);
    expect(result.runId).toBe(stopped.id);
    expect(result.balanced).toBe(true);
    expect(result.totals["eur"]).toMatchObject({ gross: 4000, credited: 4000, navixyCredited: 4000 });
    expect(await gw.services.db.reconciliationEntry.count({ where: { runId: stopped.id } })).toBe(0);
  });

  test("another dealer's runs and money are not this dealer's", async () => {
    const runs = await gw.services.rootDb.reconciliationRun.findMany({ select: { dealerId: true } });
    expect(runs.length).toBeGreaterThan(0);
    expect(new Set(runs.map((r) => r.dealerId))).toEqual(new Set([gw.services.dealer.id]));
  });

  test("the worker's nightly task reconciles each ended day without a finished run, once, and is due again the next night", async () => {
    const rootDb = gw.services.rootDb;
    const dealerId = gw.services.dealer.id;
    expect(workQueues(gw.services).map((q) => q.name)).toContain(`task:${RECONCILE_TASK}`);
    await scheduleNightlyReconciliation(rootDb, dealerId);
    expect(await rootDb.dealerTask.findUnique({ where: { dealerId_kind: { dealerId, kind: RECONCILE_TASK } } })).toMatchObject({ dealerId });

    // Tomorrow's night: today has ended, with the planted differences in it.
    const tomorrow = new Date(Date.now() + 86400_000);
    const days = endedDays(tomorrow, "UTC");
    expect(days).toHaveLength(7);
    expect(days.at(-1)).toBe(new Date().toISOString().slice(0, 10));
    const task = nightlyReconciliationTask(async (id) => (id === dealerId ? { services: gw.services, release: () => {} } : null));
    expect(await task.run(rootDb, dealerId, tomorrow)).toBe("done");
    const runs = await gw.services.db.reconciliationRun.findMany({ where: { label: { in: days } } });
    expect(new Set(runs.map((r) => r.label))).toEqual(new Set(days));
    expect(runs.every((r) => r.status !== "running")).toBe(true);
    expect(runs.find((r) => r.label === days.at(-1))?.status).toBe("differences");
    expect((await dayWithDifferences(gw.services, days.at(-1)!))?.differences.length).toBeGreaterThan(0);
    const row = await rootDb.dealerTask.findUniqueOrThrow({ where: { dealerId_kind: { dealerId, kind: RECONCILE_TASK } } });
    expect(row.dueAt.getTime()).toBe(nextNightlyAt(new Date(), "UTC").getTime());

    // Run again: every day has its finished run, nothing is read again.
    await task.run(rootDb, dealerId, tomorrow);
    expect(await gw.services.db.reconciliationRun.count({ where: { label: { in: days } } })).toBe(runs.length);
    // A dealer that is no more is dropped.
    expect(await task.run(rootDb, "dlr_gone", tomorrow)).toBe("drop");
  });

  test("a worker starting beside hundreds of live dealers without a nightly task spreads their first runs, about one a second", async () => {
    const rootDb = gw.services.rootDb;
    const ids = Array.from({ length: 300 }, (_, i) => `dlr_spread_${String(i).padStart(3, "0")}`);
    await rootDb.dealer.createMany({ data: ids.map((id) => ({ id, slug: id.replace(/_/g, "-"), name: id, status: "active", settings: "{}", secrets: "{}" })) });
    try {
      const now = new Date();
      await scheduleNightlyReconciliations(rootDb, now);
      const tasks = await rootDb.dealerTask.findMany({ where: { kind: RECONCILE_TASK, dealerId: { in: ids } }, select: { dueAt: true } });
      expect(tasks).toHaveLength(ids.length);
      const offsets = tasks.map((t) => t.dueAt.getTime() - now.getTime());
      expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...offsets)).toBeLessThan(ids.length * 1000);
      // Spread, not all due at once: no more than a few in any one second.
      const perSecond = new Map<number, number>();
      for (const o of offsets) perSecond.set(Math.floor(o / 1000), (perSecond.get(Math.floor(o / 1000)) ?? 0) + 1);
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(8);
      // Started again: nothing scheduled twice, nothing moved.
      await scheduleNightlyReconciliations(rootDb, new Date(now.getTime() + 5000));
      const again = await rootDb.dealerTask.findMany({ where: { kind: RECONCILE_TASK, dealerId: { in: ids } }, select: { dueAt: true } });
      expect(again.map((t) => t.dueAt.getTime()).sort()).toEqual(tasks.map((t) => t.dueAt.getTime()).sort());
    } finally {
      await rootDb.dealerTask.deleteMany({ where: { dealerId: { in: ids } } });
      await rootDb.dealer.deleteMany({ where: { id: { in: ids } } });
    }
  });

  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const root = path.resolve(__dirname, "../..");
    try {
      const { stdout, stderr } = await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), ["lib/ops/payments-cli.ts", ...args], {
        cwd: root,
        env: { ...process.env, WORKER_IN_SERVER: "false" },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  test("npm run payments -- reconcile: 0 balanced, 1 differences, 2 a source could not be read; --json", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    // Today holds the planted differences of the test above.
    const withDifferences = await cli("reconcile", "--date", today, "--json");
    expect(withDifferences.code).toBe(1);
    const parsed = JSON.parse(withDifferences.stdout) as { balanced: boolean; days: ReconciliationResult[] };
    expect(parsed.balanced).toBe(false);
    expect(parsed.days[0]!.label).toBe(today);
    expect(parsed.days[0]!.differences.length).toBeGreaterThan(0);

    const quiet = await cli("reconcile", "--date", tomorrow);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(new RegExp(`${tomorrow}: balanced`));

    await gw.navixy.setOutage(true);
    const unreadable = await cli("reconcile", "--date", today, "--again");
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/Navixy could not be read/);
    await gw.navixy.setOutage(false);

    expect((await cli("reconcile", "--date", "2026-13-01")).code).toBe(2);
  });

  test("the console: a calendar of the month's days, a day's result, and the books as CSV with payouts and their payments", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const calendar = (await reconciliationCalendar(gw.services))!;
    expect(calendar.timeZone).toBe("UTC");
    const todayCell = calendar.days.find((d) => d.day === today)!;
    expect(todayCell.state).toBe("differences");
    expect(todayCell.differenceCount).toBe((await reconciliationOfDay(gw.services, today))!.differences.length);
    const earlier = calendar.days.filter((d) => d.day < today && d.day >= endedDays(new Date(Date.now() + 86400_000), "UTC")[0]!);
    expect(earlier.every((d) => d.state === "balanced")).toBe(true);
    // Tomorrow was reconciled on demand by the command's test; the days after it have not begun.
    const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    expect(calendar.days.filter((d) => d.day > tomorrow).every((d) => d.state === "not_ended")).toBe(true);
    expect(await reconciliationCalendar(gw.services, "2026-13")).toBeNull();
    expect(await reconcileDayNow(gw.services, { actor: "test", ip: null }, "2026-02-30")).toMatchObject({ ok: false });

    // Stripe pays the balance out; the books show each payment with its payout, and the payout after its payments.
    const [payout] = gw.stripeEmulator.payOut();
    const books = await exportBooks(gw.services, { actor: "test", ip: null }, { day: today });
    if (books.kind !== "csv") throw new Error(books.problem);
    const lines = books.body.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("type,date,balance_transaction,stripe_object,payment_id,payment_intent,navixy_user_id,currency,gross,stripe_fee,net,payout_id,payout_date,navixy_transaction");
    const line = lines.find((l) => l.includes(cleanPayment!.piId) && l.startsWith("payment,"))!;
    const row = line.split(",");
    expect(row.slice(4, 13)).toEqual([cleanPayment!.paymentId, cleanPayment!.piId, "30001", "EUR", "25.00", "1.03", "23.97", payout!.id, new Date(payout!.arrival_date * 1000).toISOString().slice(0, 10)]);
    expect(line).toMatch(new RegExp(`,"\\d{4}-\\d\\d-\\d\\dT[^ ]+ 25\\.00 Balance top-up via Stripe, payment ${cleanPayment!.piId}"$`));
    const payoutLine = lines.findIndex((l) => l.startsWith("payout,"));
    expect(payoutLine).toBe(lines.length - 1); // everything of today was paid out: its payments come before it
    expect(lines[payoutLine]).toContain(payout!.id);
    expect(lines.some((l) => l.startsWith("refund,"))).toBe(true);
    expect(lines.some((l) => l.startsWith("dispute,"))).toBe(true);
    expect(await exportBooks(gw.services, { actor: "test", ip: null }, { month: "2026-1" })).toMatchObject({ kind: "refused" });
    // The same books from the command line.
    const printed = await cli("books", "--month", today.slice(0, 7));
    expect(printed.code).toBe(0);
    expect(printed.stdout.split("\r\n")[0]).toBe(lines[0]);
    expect(printed.stdout).toContain(payout!.id);
  });
});
