// Two dealers on one deployment: the environment's own ("default", dealer A) and a hosted one (dealer B, its own
// Stripe account and Navixy, added as an operator does). Each payment is credited in its own dealer's Navixy, no
// route or query of one dealer shows or touches the other's rows, an event signed for A is refused on B's
// endpoint, and A's Navixy down with 200 owed credits does not hold B's credit up (A is backed off as a whole).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Stripe from "stripe";
import { databaseUnavailable, startGateway, waitFor, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import type { NavixyEmulator } from "../../dev/emulators/navixy/server";
import type { StripeEmulator } from "../../dev/emulators/stripe/server";
import { suspendDealer } from "../admin/dealers";
import { HOSTED_OPERATOR as OPERATOR, addHostedDealer, type HostedDealer } from "../../dev/testing/hosted-dealer";
import { servicesForDealer, type Services } from "../server/services";
import { createWorker } from "../server/start";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { newPaymentId } from "../ids";
import { CrossDealerWriteError } from "../db/dealer-scope";

const skip = databaseUnavailable();

const B_KEYS = { secret: "sk_test_dealer_b", publishable: "pk_test_dealer_b", webhookSecret: "whsec_dealer_b_signing_secret" };
const SECRETS_KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

describe.skipIf(skip)("two dealers, one deployment", () => {
  let gw: Gateway;
  let navixyB: NavixyEmulator;
  let stripeB: StripeEmulator;
  let worker: LedgerWorker;
  let b: Services;
  let report: HostedDealer["report"];

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY } });
    ({ navixy: navixyB, stripe: stripeB, report } = await addHostedDealer(B_KEYS, { NAVIXY_TIMEOUT_MS: "1000", PAYMENT_MIN_AMOUNT: "2" }));
    expect(report.blocking).toEqual([]);
    expect(report.dealer.status).toBe("active");
    expect(report.webhookUrl).toBe(`${gw.url}/api/stripe/webhook/dealer-b`);
    expect(report.paymentSystemUrl).toBe(`${gw.url}/d/dealer-b/?id={id}`);
    stripeB.setWebhookEndpoints([{ url: report.webhookUrl, secret: B_KEYS.webhookSecret }]);
    b = (await servicesForDealer(report.dealer.id))!;
    // The process's one worker, for both dealers.
    worker = createWorker(gw.services);
    worker.start();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await stripeB?.close();
    await navixyB?.close();
    await gw?.close();
  });

  /** A payment on B's page, paid as B's payer does (B's publishable key, B's Stripe). */
  async function payAtB(userId: number, amount: number): Promise<{ paymentId: string; piId: string }> {
    const created = await gw.request("POST", "/d/dealer-b/api/payments", { userId, amount });
    expect(created.status, created.text).toBe(201);
    const piId = String(created.body.clientSecret).split("_secret_")[0]!;
    const res = await fetch(`${stripeB.url}/v1/payment_intents/${piId}/confirm`, {
      method: "POST",
      headers: { authorization: `Bearer ${B_KEYS.publishable}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: created.body.clientSecret, payment_method: "pm_card_visa", return_url: `${gw.url}/d/dealer-b/payment/complete` }),
    });
    expect(res.status).toBe(200);
    return { paymentId: created.body.paymentId, piId };
  }

  test("each dealer's payment is credited in its own Navixy, and its rows are its own", async () => {
    const a = await gw.pay(10002, 1500);
    const atB = await payAtB(20001, 700);
    await gw.waitCredited(a.paymentId);
    await waitFor(async () => (await gw.request("GET", `/d/dealer-b/api/payments/${atB.paymentId}`)).body?.credited, { what: "B credited" });

    expect(gw.navixy.balanceCents(10002)).toBe(1500);
    expect(navixyB.balanceCents(20001)).toBe(700);
    expect(gw.navixy.changeBalanceCalls()).toBe(1);
    expect(navixyB.changeBalanceCalls()).toBe(1);

    const rootDb = gw.services.rootDb;
    expect((await rootDb.payment.findUniqueOrThrow({ where: { id: atB.paymentId } })).dealerId).toBe(b.dealer.id);
    expect((await rootDb.payment.findUniqueOrThrow({ where: { id: a.paymentId } })).dealerId).toBe("default");
    for (const model of ["balanceMovement", "stripeEvent", "navixyCall", "paymentStatusChange"] as const) {
      const rows = (await (rootDb[model] as unknown as { findMany(a: object): Promise<{ dealerId: string }[]> }).findMany({})) ?? [];
      expect(new Set(rows.map((r) => r.dealerId)), model).toEqual(new Set(["default", b.dealer.id]));
    }
  });

  test("no route or query of one dealer shows or touches the other's rows", async () => {
    const a = await gw.pay(10002, 1100);
    const atB = await payAtB(20001, 300);
    // The status route answers for its own dealer's payments only.
    expect((await gw.request("GET", `/api/payments/${atB.paymentId}`)).status).toBe(404);
    expect((await gw.request("GET", `/d/dealer-b/api/payments/${a.paymentId}`)).status).toBe(404);
    expect((await gw.request("GET", `/d/dealer-b/api/payments/${atB.paymentId}`)).status).toBe(200);
    // A's user does not exist at B, and the other way round: each page asks its own dealer's Navixy.
    expect((await gw.request("POST", "/d/dealer-b/api/payments", { userId: 10002, amount: 500 })).status).toBe(404);
    expect((await gw.request("POST", "/api/payments", { userId: 20001, amount: 500 })).status).toBe(404);

    // Every query of a dealer's services sees its own rows only, whatever it asks for.
    const aPayments = await gw.services.db.payment.findMany({});
    const bPayments = await b.db.payment.findMany({});
    expect(aPayments.every((p) => p.dealerId === "default")).toBe(true);
    expect(bPayments.every((p) => p.dealerId === b.dealer.id)).toBe(true);
    expect(bPayments.map((p) => p.id)).toContain(atB.paymentId);
    expect(await b.db.payment.findUnique({ where: { id: a.paymentId } })).toBeNull();
    expect(await b.db.payment.count({ where: { id: a.paymentId } })).toBe(0);
    // Updates and deletes aimed at the other dealer's row change nothing.
    expect((await b.db.payment.updateMany({ where: { id: a.paymentId }, data: { failureMessage: "x" } })).count).toBe(0);
    expect((await b.db.balanceMovement.deleteMany({ where: { paymentId: a.paymentId } })).count).toBe(0);
    await expect(b.db.payment.update({ where: { id: a.paymentId }, data: { failureMessage: "x" } })).rejects.toThrow();
    // A row cannot be written for, or moved to, another dealer.
    await expect(
      b.db.payment.create({ data: { id: newPaymentId(), dealerId: "default", navixyUserId: 1, amount: 1, currency: "eur", status: "created" } }),
    ).rejects.toBeInstanceOf(CrossDealerWriteError);
    await expect(b.db.payment.updateMany({ where: { id: atB.paymentId }, data: { dealerId: "default" } })).rejects.toBeInstanceOf(CrossDealerWriteError);
    expect((await gw.services.rootDb.payment.findUniqueOrThrow({ where: { id: a.paymentId } })).failureMessage).toBeNull();
  });

  test("an event signed with dealer A's secret is refused on dealer B's endpoint, and stores nothing", async () => {
    const payload = JSON.stringify({ id: "evt_cross_dealer_1", object: "event", type: "payment_intent.succeeded", livemode: false, created: 1, data: { object: { id: "pi_x", object: "payment_intent" } } });
    const signedForA = Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_KEYS.webhookSecret });
    const atB = await gw.request("POST", "/api/stripe/webhook/dealer-b", payload, { "stripe-signature": signedForA, "content-type": "application/json" });
    expect(atB.status).toBe(400);
    expect(atB.body.error.code).toBe("invalid_signature");
    const signedForB = Stripe.webhooks.generateTestHeaderString({ payload, secret: B_KEYS.webhookSecret });
    const atA = await gw.request("POST", "/api/stripe/webhook", payload, { "stripe-signature": signedForB, "content-type": "application/json" });
    expect(atA.status).toBe(400);
    expect(await gw.services.rootDb.stripeEvent.count({ where: { id: "evt_cross_dealer_1" } })).toBe(0);
    // An endpoint of no dealer: 404.
    expect((await gw.request("POST", "/api/stripe/webhook/nobody", payload, { "stripe-signature": signedForB })).status).toBe(404);
  });

  test("dealer A's Navixy down with 200 owed credits: dealer B's payment is still credited at once", async () => {
    // A's Navixy holds every call until the client gives up (NAVIXY_TIMEOUT_MS, 1 s): each of A's credits costs
    // its lane a second, and there are 200 of them.
    gw.navixy.addFault({ method: "*", always: true, action: { type: "hold" } });
    const now = new Date();
    for (let i = 0; i < 200; i++) {
      const id = newPaymentId();
      await gw.services.db.payment.create({
        data: {
          id,
          navixyUserId: 10001,
          amount: 100,
          currency: "eur",
          status: "succeeded",
          amountReceived: 100,
          succeededAt: now,
        },
      });
      await gw.services.db.balanceMovement.create({
        data: {
          id: `mv_owed_${i}_${id.slice(-6)}`,
          paymentId: id,
          kind: "credit",
          navixyUserId: 10001,
          amount: 100,
          currency: "eur",
          navixyAmount: "1.00",
          reference: `pi_owed_${i}`,
          text: `Top-up via Stripe, ref pi_owed_${i}`,
          idempotencyKey: `credit:pi_owed_${i}`,
        },
      });
    }
    gw.services.wakeWorker();
    const started = Date.now();
    const atB = await payAtB(20001, 400);
    await waitFor(async () => (await gw.request("GET", `/d/dealer-b/api/payments/${atB.paymentId}`)).body?.credited, {
      what: "B credited while A's Navixy is down",
      timeoutMs: 10_000,
    });
    const latency = Date.now() - started;
    expect(navixyB.balanceCents(20001)).toBe(700 + 300 + 400);
    // A's backlog alone would take 200 s to work through; B waited for none of it.
    expect(await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_owed_" }, state: "applied" } })).toBe(0);
    expect(latency).toBeLessThan(10_000);
    // A is backed off as a whole (its Navixy never answers), recorded for the console: a handful of its rows were
    // tried, not its 200, and none is lost (they wait, due).
    await waitFor(async () => (await gw.services.rootDb.dealerBackoff.findUnique({ where: { dealerId: "default" } }))?.state === "open", {
      what: "dealer A backed off",
    });
    const triedA = await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_owed_" }, attempts: { gt: 0 } } });
    expect(triedA).toBeLessThan(20);
    expect(await gw.services.db.balanceMovement.count({ where: { reference: { startsWith: "pi_owed_" }, state: { in: ["pending", "unknown", "sending"] } } })).toBe(200);
    gw.navixy.clearFaults();
    gw.navixy.release({ mode: "drop" });
  }, 60_000);

  test("a suspended dealer's pages refuse new payments; its webhook still takes events for money in flight", async () => {
    await suspendDealer(OPERATOR, "dealer-b", "contract ended");
    await waitFor(async () => (await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 500 })).status === 404, {
      what: "B's page refused",
      timeoutMs: 8_000,
    });
    const payload = JSON.stringify({ id: "evt_suspended_b", object: "event", type: "charge.refunded", livemode: false, created: 1, data: { object: { id: "ch_x", object: "charge" } } });
    const signed = Stripe.webhooks.generateTestHeaderString({ payload, secret: B_KEYS.webhookSecret });
    expect((await gw.request("POST", "/api/stripe/webhook/dealer-b", payload, { "stripe-signature": signed })).status).toBe(200);
    const audit = await gw.services.rootDb.auditLog.findMany({ where: { dealerId: b.dealer.id }, orderBy: { id: "asc" } });
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(["dealer.add", "dealer.live", "dealer.suspend"]));
    expect(await gw.services.db.auditLog.count({ where: { action: { startsWith: "dealer." } } })).toBe(0);
  });

  test("a dealer whose setup checks have not passed takes no payments", async () => {
    // Back from suspension it is in setup until its checks pass: its page is still "not available".
    await gw.services.rootDb.dealer.update({ where: { id: b.dealer.id }, data: { status: "setup" } });
    await waitFor(async () => (await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 500 })).status === 404, {
      what: "B's page refused while in setup",
      timeoutMs: 8_000,
    });
    expect((await gw.request("GET", "/d/dealer-b/?id=20001")).status).toBe(404);
    await gw.services.rootDb.dealer.update({ where: { id: b.dealer.id }, data: { status: "active" } });
    await waitFor(async () => (await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 500 })).status === 201, {
      what: "B's page taking payments once live",
      timeoutMs: 8_000,
    });
  });
});
