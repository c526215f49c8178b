// The one worker of a process, shared by every dealer: a dealer with a backlog and a slow Navixy never delays another
// and never has more than NAVIXY_CONCURRENCY calls at its Navixy; a dealer whose Navixy is down is backed off as a
// whole (and recorded for the console), not polled row by row; "too many requests" slows a dealer down without losing
// a credit; a webhook wakes the worker for its row without a poll; dealers nobody pays cost nothing.
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test, vi } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../../dev/testing/harness";
import { addHostedDealer, type HostedDealer } from "../../../dev/testing/hosted-dealer";
import type { Services } from "../../server/services";
import { cachedDealerCount, servicesForDealer } from "../../server/services";
import { createWorker } from "../../server/start";
import { newPaymentId } from "../../ids";
import type { LedgerWorker } from "./ledger-worker";
import { dealerBackoff } from "../../admin/backoff";
import { dealerList } from "../../admin/dealer-console";
import { RECONCILE_TASK, scheduleNightlyReconciliation } from "../../reconciliation/nightly";
import { parseSecretsKey, sealSecret } from "../../dealers/secret-box";
import { dealerValues, secretContext } from "../../dealers/directory";
import { logSecretHolderCount } from "../../logging/logger";

const skip = databaseUnavailable();

const B_KEYS = { secret: "sk_test_dealer_b", publishable: "pk_test_dealer_b", webhookSecret: "whsec_dealer_b_signing_secret" };
const SECRETS_KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;
const CHANGE_BALANCE = "panel/user/transaction/change_balance";

/** Credits owed to `userId`, as the sync leaves them (the payment succeeded, the credit not sent yet). */
async function owedCredits(services: Services, userId: number, count: number, prefix: string): Promise<void> {
  const now = new Date();
  for (let n = 0; n < count; n++) {
    // Same length, like Stripe's ids: no reference is the start of another (a lookup matches by substring).
    const i = String(n).padStart(5, "0");
    const id = newPaymentId();
    await services.db.payment.create({
      data: { id, navixyUserId: userId, amount: 100, currency: "eur", status: "succeeded", amountReceived: 100, succeededAt: now },
    });
    await services.db.balanceMovement.create({
      data: {
        id: `mv_${prefix}_${i}_${id.slice(-6)}`,
        paymentId: id,
        kind: "credit",
        navixyUserId: userId,
        amount: 100,
        currency: "eur",
        navixyAmount: "1.00",
        reference: `pi_${prefix}_${i}`,
        text: `Top-up via Stripe, ref pi_${prefix}_${i}`,
        idempotencyKey: `credit:pi_${prefix}_${i}`,
      },
    });
  }
}

describe.skipIf(skip)("one worker for every dealer", () => {
  let gw: Gateway;
  let hosted: HostedDealer;
  let b: Services;
  let worker: LedgerWorker | undefined;

  beforeAll(async () => {
    // A generous Navixy timeout for dealer A: a call given up on would free its slot while Navixy still holds it.
    gw = await startGateway({ worker: false, env: { SECRETS_KEY, NAVIXY_CONCURRENCY: "4", WORKER_POLL_INTERVAL_MS: "60000", NAVIXY_TIMEOUT_MS: "10000" } });
    hosted = await addHostedDealer(B_KEYS, { NAVIXY_TIMEOUT_MS: "1000" });
    expect(hosted.report.blocking).toEqual([]);
    hosted.stripe.setWebhookEndpoints([{ url: hosted.report.webhookUrl, secret: B_KEYS.webhookSecret }]);
    b = (await servicesForDealer(hosted.report.dealer.id))!;
  }, 60_000);

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    gw.navixy.clearFaults();
    hosted.navixy.clearFaults();
    await hosted.navixy.setOutage(false);
    hosted.stripe.pauseDeliveries(false);
  });

  afterAll(async () => {
    await hosted?.stripe.close();
    await hosted?.navixy.close();
    await gw?.close();
  });

  test("a webhook wakes the worker for its row: credited at once with polling every minute", async () => {
    worker = createWorker(gw.services);
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // its first look is done: from now on only hints wake it
    const started = Date.now();
    const paid = await gw.pay(10002, 800);
    await gw.waitCredited(paid.paymentId);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(gw.navixy.balanceCents(10002)).toBe(800);
  });

  test("a dealer with 300 owed credits and a slow Navixy: another dealer's payment is credited at once; the backlog never has more than NAVIXY_CONCURRENCY calls at its Navixy", async () => {
    await owedCredits(gw.services, 10001, 300, "backlog");
    gw.navixy.addFault({ method: CHANGE_BALANCE, always: true, action: { type: "delay", ms: 150 } });
    gw.navixy.resetMaxConcurrent();
    const before = gw.navixy.balanceCents(10001);
    worker = createWorker(gw.services);
    worker.start();
    await waitFor(async () => gw.navixy.changeBalanceCalls(10001) >= 8, { what: "the backlog under way" });

    const created = await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 500 });
    expect(created.status, created.text).toBe(201);
    const piId = String(created.body.clientSecret).split("_secret_")[0]!;
    const confirmed = await fetch(`${hosted.stripe.url}/v1/payment_intents/${piId}/confirm`, {
      method: "POST",
      headers: { authorization: `Bearer ${B_KEYS.publishable}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: created.body.clientSecret, payment_method: "pm_card_visa", return_url: `${gw.url}/d/dealer-b/payment/complete` }),
    });
    expect(confirmed.status).toBe(200);
    const started = Date.now();
    await waitFor(async () => (await gw.request("GET", `/d/dealer-b/api/payments/${created.body.paymentId}`)).body?.credited, {
      what: "dealer B credited beside A's backlog",
      timeoutMs: 10_000,
    });
    const latency = Date.now() - started;
    // 300 credits at 150 ms, four at a time, take more than 11 s: B, paid after they began, waited for none of it.
    expect(await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_backlog_" }, state: { not: "applied" } } })).toBeGreaterThan(0);
    expect(latency).toBeLessThan(5_000);

    await waitFor(async () => (await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_backlog_" }, state: "applied" } })) === 300, {
      what: "the backlog drained",
      timeoutMs: 60_000,
    });
    expect(gw.navixy.balanceCents(10001) - before).toBe(300 * 100);
    expect(gw.navixy.changeBalanceCalls(10001)).toBe(300);
    expect(gw.navixy.maxConcurrent(CHANGE_BALANCE)).toBeLessThanOrEqual(4);
    expect(gw.navixy.maxConcurrent(CHANGE_BALANCE)).toBeGreaterThanOrEqual(2);
  }, 90_000);

  test("a dealer whose Navixy is down is backed off as a whole, recorded for the console, and probed again later; the other dealer is not held up", async () => {
    // B's Navixy refuses every connection; its 40 credits cannot be sent.
    await hosted.navixy.setOutage(true, { mode: "refuse" });
    await owedCredits(b, 20001, 40, "outage");
    const openMs = 1_500;
    worker = createWorker(gw.services, { allDealers: true, circuit: { failuresToOpen: 5, openMs, maxOpenMs: openMs } });
    worker.start();
    await waitFor(async () => (await gw.services.rootDb.dealerBackoff.findUnique({ where: { dealerId: b.dealer.id } }))?.state === "open", {
      what: "dealer B backed off",
    });
    const openedAt = Date.now();
    const backoff = await gw.services.rootDb.dealerBackoff.findUniqueOrThrow({ where: { dealerId: b.dealer.id } });
    expect(backoff.reason).toMatch(/Navixy/);
    // The console says so: on B's overview and in the operator's dealer list, never on A's.
    expect(await dealerBackoff(b)).toMatchObject({ dealerId: b.dealer.id, reason: expect.stringMatching(/Navixy/) });
    expect(await dealerBackoff(gw.services)).toBeNull();
    expect((await dealerList()).find((d) => d.id === b.dealer.id)?.backoff).toMatchObject({ dealerId: b.dealer.id });
    // Backed off: its rows are not tried one by one. At most the failures that opened it and those under way then.
    const tried = await b.db.navixyCall.count({ where: { movement: { reference: { startsWith: "pi_outage_" } } } });
    expect(tried).toBeLessThanOrEqual(5 + 4);
    // Dealer A's payment goes through meanwhile.
    const paid = await gw.pay(10003, 600);
    await gw.waitCredited(paid.paymentId);
    await new Promise((resolve) => setTimeout(resolve, 800));
    // Meanwhile one probe per pause at most, however many rows wait.
    const probes = Math.ceil((Date.now() - openedAt) / openMs) + 1;
    expect(await b.db.navixyCall.count({ where: { movement: { reference: { startsWith: "pi_outage_" } } } })).toBeLessThanOrEqual(tried + probes);

    // Back up: the next probe succeeds, the circuit closes, every credit lands once.
    await hosted.navixy.setOutage(false);
    await waitFor(async () => (await b.db.balanceMovement.count({ where: { reference: { startsWith: "pi_outage_" }, state: "applied" } })) === 40, {
      what: "B's credits after its Navixy came back",
      timeoutMs: 30_000,
    });
    expect(hosted.navixy.changeBalanceCalls(20001)).toBeGreaterThanOrEqual(40);
    expect((await gw.services.rootDb.dealerBackoff.findUniqueOrThrow({ where: { dealerId: b.dealer.id } })).state).toBe("closed");
    expect(await dealerBackoff(b)).toBeNull();
  }, 60_000);

  test("a dealer whose Navixy is down stays backed off while its Stripe events are worked; its payments are all credited once it is back", async () => {
    // Three payments at B, paid while its Navixy was up; their webhooks held at B's Stripe.
    hosted.stripe.pauseDeliveries(true, "hold");
    const paidAtB: string[] = [];
    for (let n = 0; n < 3; n++) {
      const created = await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 600 + n });
      expect(created.status, created.text).toBe(201);
      const res = await fetch(`${hosted.stripe.url}/v1/payment_intents/${String(created.body.clientSecret).split("_secret_")[0]}/confirm`, {
        method: "POST",
        headers: { authorization: `Bearer ${B_KEYS.publishable}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_secret: created.body.clientSecret, payment_method: "pm_card_visa", return_url: `${gw.url}/d/dealer-b/payment/complete` }),
      });
      expect(res.status).toBe(200);
      paidAtB.push(created.body.paymentId);
    }
    // B's Navixy goes down with 20 credits owed: B is backed off.
    const callsBefore = hosted.navixy.changeBalanceCalls(20001);
    await hosted.navixy.setOutage(true, { mode: "refuse" });
    await owedCredits(b, 20001, 20, "stripe_up");
    worker = createWorker(gw.services, { allDealers: true, circuit: { failuresToOpen: 5, openMs: 400, maxOpenMs: 400 } });
    worker.start();
    const backoffOfB = () => gw.services.rootDb.dealerBackoff.findUnique({ where: { dealerId: b.dealer.id } });
    await waitFor(async () => (await backoffOfB())?.state === "open", { what: "dealer B backed off" });
    // The held webhooks arrive: B's Stripe answers each event's reads, which says nothing about B's Navixy. B is
    // watched all along: it never counts as back while its Navixy is down.
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        seen.add((await backoffOfB().catch(() => null))?.state ?? "none");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    onTestFinished(() => {
      watching = false;
    });
    hosted.stripe.pauseDeliveries(false);
    await hosted.stripe.flushDeliveries();
    await waitFor(async () => (await b.db.stripeEvent.count({ where: { status: "received" } })) === 0, { what: "B's events worked", timeoutMs: 20_000 });
    await waitFor(async () => (await b.db.balanceMovement.count({ where: { paymentId: { in: paidAtB }, kind: "credit" } })) === 3, { what: "B's new credits owed" });
    // Past several pauses: probes of Navixy keep failing, so B is still backed off, with every credit owed.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    watching = false;
    await watch;
    expect([...seen]).toEqual(["open"]);
    expect(await backoffOfB()).toMatchObject({ state: "open", reason: expect.stringMatching(/Navixy/) });
    expect(hosted.navixy.changeBalanceCalls(20001)).toBe(callsBefore);

    // Back up: every credit lands once, and B is no longer backed off.
    await hosted.navixy.setOutage(false);
    await waitFor(async () => (await b.db.balanceMovement.count({ where: { OR: [{ reference: { startsWith: "pi_stripe_up_" } }, { paymentId: { in: paidAtB } }], state: "applied" } })) === 23, {
      what: "B's credits after its Navixy came back",
      timeoutMs: 30_000,
    });
    for (const paymentId of paidAtB) {
      const [credit] = await b.db.balanceMovement.findMany({ where: { paymentId, kind: "credit" } });
      expect(hosted.navixy.user(20001)!.transactions.filter((t) => t.text.includes(credit!.reference))).toHaveLength(1);
    }
    expect((await backoffOfB())?.state).toBe("closed");
  }, 60_000);

  test("'too many requests' from Navixy slows the dealer down; every credit still lands once", async () => {
    await owedCredits(gw.services, 10003, 60, "limited");
    const before = gw.navixy.balanceCents(10003);
    gw.navixy.addFault({ method: CHANGE_BALANCE, times: 6, action: { type: "error", code: 15 } });
    worker = createWorker(gw.services);
    worker.start();
    await waitFor(async () => (await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_limited_" }, state: "applied" } })) === 60, {
      what: "the limited credits",
      timeoutMs: 30_000,
    });
    expect(gw.navixy.balanceCents(10003) - before).toBe(60 * 100);
    expect(await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_limited_" }, needsAttention: true } })).toBe(0);
  }, 60_000);

  test("the nightly reconciliation of every live dealer keeps no dealer's services or secrets it opened and pushes none out", async () => {
    const rootDb = gw.services.rootDb;
    const bServices = await servicesForDealer(b.dealer.id);
    const cachedBefore = cachedDealerCount();
    const secretHoldersBefore = logSecretHolderCount();
    // B is paid (in the cache); C, D and E went live and nobody pays them. All four are reconciled tonight.
    const row = await rootDb.dealer.findUniqueOrThrow({ where: { id: hosted.report.dealer.id } });
    const others = ["c", "d", "e"].map((x) => `dlr_nightly_${x}`);
    const keyring = parseSecretsKey(SECRETS_KEY);
    const bValues = dealerValues(row, keyring);
    for (const id of others) {
      const secrets = Object.fromEntries(
        Object.keys(JSON.parse(row.secrets) as Record<string, string>).map((name) => [name, sealSecret(keyring, bValues[name]!, secretContext(id, name))]),
      );
      await rootDb.dealer.create({ data: { id, slug: id.replace(/_/g, "-"), name: id, status: "active", settings: row.settings, secrets: JSON.stringify(secrets) } });
    }
    onTestFinished(async () => {
      await rootDb.dealerTask.deleteMany({ where: { dealerId: { in: others } } });
      await rootDb.reconciliationRun.deleteMany({ where: { dealerId: { in: others } } });
      await rootDb.dealer.deleteMany({ where: { id: { in: others } } });
    });
    for (const id of [b.dealer.id, ...others]) await scheduleNightlyReconciliation(rootDb, id);
    await rootDb.dealerTask.updateMany({ where: { kind: RECONCILE_TASK, dealerId: { in: [b.dealer.id, ...others] } }, data: { dueAt: new Date(Date.now() - 1000) } });
    worker = createWorker(gw.services);
    worker.start();
    await waitFor(
      async () => (await rootDb.dealerTask.count({ where: { kind: RECONCILE_TASK, dealerId: { in: others }, lastRunAt: { not: null }, lastError: null } })) === others.length,
      { timeoutMs: 30_000 },
    );
    expect(await rootDb.reconciliationRun.count({ where: { dealerId: { in: others } } })).toBeGreaterThan(0);
    // Nothing of C, D or E kept; B's services still the ones its payments use.
    expect(cachedDealerCount()).toBe(cachedBefore);
    expect(await servicesForDealer(b.dealer.id)).toBe(bServices);
    // The secrets the runs opened were released with their services (the logger forgets them after a grace period).
    expect(logSecretHolderCount()).toBe(secretHoldersBefore);
  }, 60_000);

  test("dealers' services built for one use in two bundles of the process each release their own secrets only", async () => {
    // Next.js evaluates lib/server/services.ts once per bundle (a console route and the worker): two copies at once.
    const row = await gw.services.rootDb.dealer.findUniqueOrThrow({ where: { id: hosted.report.dealer.id } });
    vi.resetModules();
    const first = await import("../../server/services");
    vi.resetModules();
    const second = await import("../../server/services");
    expect(second).not.toBe(first);
    const holders = logSecretHolderCount();
    const a = first.uncachedServicesForDealerRow(row);
    const b2 = second.uncachedServicesForDealerRow(row);
    expect(logSecretHolderCount()).toBe(holders + 2);
    a.release();
    expect(logSecretHolderCount()).toBe(holders + 1); // the other bundle's use still holds its own
    b2.release();
    expect(logSecretHolderCount()).toBe(holders);
  });

  test("10,000 dealers in the database: the worker starts, credits and reads none of them", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      id: `dlr_idle_${String(i).padStart(5, "0")}`,
      slug: `idle-${i}`,
      name: `Idle ${i}`,
      status: "active",
      settings: "{}",
      // Not a sealed value: opening any of them would throw.
      secrets: JSON.stringify({ STRIPE_SECRET_KEY: "not-sealed" }),
    }));
    for (let i = 0; i < rows.length; i += 500) await gw.services.rootDb.dealer.createMany({ data: rows.slice(i, i + 500) });
    const cachedBefore = cachedDealerCount();
    worker = createWorker(gw.services);
    worker.start();
    const paid = await gw.pay(10002, 500);
    await gw.waitCredited(paid.paymentId);
    expect(cachedDealerCount()).toBe(cachedBefore);
    await gw.services.rootDb.dealer.deleteMany({ where: { id: { startsWith: "dlr_idle_" } } });
  }, 60_000);
});
