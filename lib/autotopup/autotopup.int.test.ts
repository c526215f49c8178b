// Automatic top-up end to end, against both emulators: enrolment at the checkout, the scheduler (driven here with
// its own `now`), crediting through the normal webhook path, declines, the bank's authentication, racing
// schedulers, the payer's manage link and the dealer console's functions.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb } from "../db/client";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import type { SeedUser } from "../../dev/emulators/navixy/server";
import type { Services } from "../server/services";
import { LedgerWorker } from "../payments/worker/ledger-worker";
import { chargedThisMonth, recordCharge, runAutoTopUps } from "./scheduler";
import { mandateText, type AutoTopUpTerms } from "./terms";
import { english } from "../i18n/english";
import { translatorFor } from "../i18n/messages";
import { formatMoney } from "../money";
import { manageLinkForReturn } from "./manage";
import { manageUrl, signManageToken } from "./token";
import { disableRule, listRules, pauseRule, resumeRule, revokeManageLinks, ruleTimeline } from "./queries";
import { monthStart, nextMonthStart } from "./schedule";
import * as managePage from "../../app/topup/manage/[token]/route";
import * as checkoutRoute from "../../app/api/topup/checkout/route";
import * as confirmRoute from "../../app/api/topup/confirm/route";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import { MANAGE_TOKEN_HEADER } from "./checkout-proof";

const skip = databaseUnavailable();
const INTERVAL = 10 * 60_000;
const TERMS: AutoTopUpTerms = { amount: 2000, threshold: 1000, monthlyLimit: 10_000 };
/** The dealer's name on its pages: the Navixy emulator's service title. */
const DEALER = "Navixy emulator";
const USERS: SeedUser[] = Array.from({ length: 30 }, (_, i) => ({ id: 60001 + i, firstName: "Auto", lastName: `Payer${i}`, balance: "0.00" }));
/** A "now" far enough ahead that every rule is due whatever the real clock says, in the middle of a month. */
const T0 = new Date(monthStart(new Date(Date.now() + 40 * 86_400_000)).getTime() + 9 * 86_400_000);
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.skipIf(skip)("automatic top-up", () => {
  let gw: Gateway;
  let services: Services;
  let worker: LedgerWorker;

  beforeAll(async () => {
    // No worker of its own: this file drains it when it wants (and so no scheduler pass on the real clock).
    gw = await startGateway({ users: USERS, worker: false, env: { AUTO_TOP_UP_CHECK_INTERVAL: "10m", RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m" } });
    services = gw.services;
    worker = new LedgerWorker(services);
  });
  afterAll(async () => gw?.close());

  /** Webhooks delivered, events processed, credits sent to Navixy. */
  async function settle(): Promise<void> {
    await gw.stripeEmulator.flushDeliveries();
    await worker.drain();
  }

  function setBalance(userId: number, balance: string): void {
    const seed = USERS.find((u) => u.id === userId)!;
    gw.navixy.setUsers([{ ...seed, balance }]);
  }

  const balance = (userId: number) => gw.navixy.balanceCents(userId);
  const rule = (userId: number) => services.db.autoTopUpRule.findFirstOrThrow({ where: { navixyUserId: userId } });
  const charges = (ruleId: string) => services.db.autoTopUpCharge.findMany({ where: { ruleId }, orderBy: { createdAt: "asc" } });
  const events = async (ruleId: string) => (await services.db.autoTopUpEvent.findMany({ where: { ruleId }, orderBy: { id: "asc" } })).map((e) => `${e.kind}: ${e.detail}`);
  const run = (now: Date, s: Services = services) => runAutoTopUps(s, { now });
  /** One pass; what it did with this rule: undefined (not due, or taken by another pass), "checked", "skipped", "charged". */
  const runFor = async (ruleId: string, now: Date, s: Services = services) => (await run(now, s)).outcomes.find((o) => o.ruleId === ruleId)?.outcome;

  async function authenticate(piId: string): Promise<void> {
    const res = await fetch(`${gw.stripeEmulator.url}/_emulator/payment_intents/${piId}/authenticate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "complete" }),
    });
    expect(res.status).toBe(200);
  }

  /** The payer opts in at the checkout and pays 25.00 with `card`. */
  async function enrol(userId: number, terms: AutoTopUpTerms = TERMS, card = "pm_card_visa") {
    const res = await gw.request("POST", "/api/payments", {
      userId,
      amount: 2500,
      autoTopUp: { ...terms, mandateText: mandateText(terms, "eur") },
    });
    expect(res.status, res.text).toBe(201);
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;
    expect((await rule(userId)).state).toBe("pending_enrolment");
    const confirmed = await gw.confirmAsPayer(piId, res.body.clientSecret, card);
    if (confirmed.body.status === "requires_action") await authenticate(piId);
    await settle();
    await waitFor(async () => (await rule(userId)).state === "active", { what: "rule active" });
    return { ...(await rule(userId)), piId, clientSecret: res.body.clientSecret as string, paymentId: res.body.paymentId as string };
  }

  /** Replaces the rule's saved card by another test card attached to the same customer. */
  async function swapCard(userId: number, number: string): Promise<void> {
    const r = await rule(userId);
    const pm = await gw.stripe.paymentMethods.create({ type: "card", card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: "123" } });
    await gw.stripe.paymentMethods.attach(pm.id, { customer: r.stripeCustomerId });
    await services.db.autoTopUpRule.update({ where: { id: r.id }, data: { stripePaymentMethodId: pm.id } });
  }

  test("enrolment saves the card; a balance below the threshold gets exactly one top-up, credited", async () => {
    const userId = 60001;
    const r = await enrol(userId);
    expect(r).toMatchObject({ state: "active", amount: 2000, threshold: 1000, monthlyLimit: 10_000, currency: "eur", mandateText: mandateText(TERMS, "eur") });
    expect(r.stripePaymentMethodId).toMatch(/^pm_/);
    const customer = await services.db.stripeCustomer.findFirstOrThrow({ where: { navixyUserId: userId } });
    expect(customer.stripeCustomerId).toBe(r.stripeCustomerId);
    expect(await gw.stripe.paymentMethods.retrieve(r.stripePaymentMethodId!)).toMatchObject({ customer: r.stripeCustomerId });
    const enrolmentIntent = await gw.stripe.paymentIntents.retrieve(r.piId);
    expect(enrolmentIntent).toMatchObject({ customer: r.stripeCustomerId, setup_future_usage: "off_session", metadata: { auto_top_up_rule_id: r.id } });
    expect(await balance(userId)).toBe(2500);

    // 25.00 is not below 10.00: checked, nothing charged.
    expect(await runFor(r.id, at(0))).toBe("checked");
    expect(await charges(r.id)).toHaveLength(0);

    setBalance(userId, "4.00");
    expect(await runFor(r.id, at(15))).toBe("charged");
    const [charge] = await charges(r.id);
    expect(charge).toMatchObject({ amount: 2000, inFlightUserId: null });
    expect(charge!.settledAt).toBeInstanceOf(Date);
    const pi = gw.stripeEmulator.paymentIntents().find((p) => p.metadata.payment_id === charge!.paymentId)!;
    expect(pi).toMatchObject({
      status: "succeeded",
      amount: 2000,
      customer: r.stripeCustomerId,
      payment_method: r.stripePaymentMethodId,
      metadata: { navixy_user_id: String(userId), payment_id: charge!.paymentId, auto_top_up_rule_id: r.id },
    });
    await settle();
    expect(await balance(userId)).toBe(400 + 2000);
    const payment = await services.db.payment.findUniqueOrThrow({ where: { id: charge!.paymentId }, include: { movements: true } });
    expect(payment).toMatchObject({ status: "succeeded", amountReceived: 2000, stripePaymentIntentId: pi.id });
    // The console names who paid and how, as for a payment at the checkout (the name from the balance check's read).
    expect(payment).toMatchObject({ payerName: "Auto Payer0", cardBrand: "visa", cardLast4: "4242", paymentMethodType: "card" });
    expect(payment.movements).toMatchObject([{ kind: "credit", state: "applied", amount: 2000 }]);

    // Same window again: not due. Later: 24.00 is above the threshold.
    expect(await runFor(r.id, at(16))).toBeUndefined();
    expect(await runFor(r.id, at(30))).toBe("checked");
    expect(await runFor(r.id, at(45))).toBe("checked");
    expect(await charges(r.id)).toHaveLength(1);
    expect(gw.navixy.changeBalanceCalls(userId)).toBe(2);
    const timeline = await events(r.id);
    expect(timeline[0]).toMatch(/^enrolment_started/);
    expect(timeline).toContainEqual(expect.stringMatching(/^enrolled/));
    expect(timeline).toContainEqual(expect.stringMatching(/^charged: Charging 20\.00 EUR/));
    expect(timeline).toContainEqual(expect.stringMatching(/^succeeded: Top-up of 20\.00 EUR paid/));
    // A run of quiet checks is one event.
    expect(timeline.at(-1)).toMatch(/^checked: Balance 24\.00 EUR is not below the threshold 10\.00 EUR \(2 checks since/);
  });

  test("a balance still low while the last top-up's credit is on its way: no second charge", async () => {
    const userId = 60002;
    const r = await enrol(userId);
    await settle();
    setBalance(userId, "1.00");
    await run(at(0)); // charged; its credit is recorded but not sent to Navixy until the worker runs...
    // ...so the balance still says 1.00. Next checks: skipped, not charged.
    await run(at(15));
    await run(at(30));
    expect(await charges(r.id)).toHaveLength(1);
    expect(await events(r.id)).toContainEqual(expect.stringMatching(/^skipped: The credit of payment pay_\w+ has not reached the balance yet/));
    await settle();
    expect(await balance(userId)).toBe(100 + 2000);
    await run(at(45));
    expect(await charges(r.id)).toHaveLength(1);
  });

  test("a balance with more decimals than the currency (12.3456) is compared exactly with the threshold", async () => {
    const userId = 60019;
    const terms: AutoTopUpTerms = { amount: 2000, threshold: 1235, monthlyLimit: 10_000 };
    const r = await enrol(userId, terms);
    const navixyBalance = () => gw.navixy.user(userId)!.balance;

    // Exactly the threshold, written with Navixy's four decimals: not below.
    setBalance(userId, "12.3500");
    expect(await runFor(r.id, at(0))).toBe("checked");
    expect((await events(r.id)).at(-1)).toMatch(/^checked: Balance 12\.35 EUR is not below the threshold 12\.35 EUR/);

    // A hundredth of a cent less (a prorated daily fee): below, charged once, credited on top of the fraction.
    setBalance(userId, "12.3456");
    expect(await runFor(r.id, at(15))).toBe("charged");
    expect((await events(r.id)).filter((e) => e.startsWith("checked: Balance 12.3456 EUR is below the threshold 12.35 EUR"))).toHaveLength(1);
    await settle();
    expect(navixyBalance()).toBe("32.3456");
    const [charge] = await charges(r.id);
    expect(await services.db.payment.findUniqueOrThrow({ where: { id: charge!.paymentId }, include: { movements: true } })).toMatchObject({
      status: "succeeded",
      amountReceived: 2000,
      movements: [{ kind: "credit", state: "applied", amount: 2000 }],
    });
    expect(await runFor(r.id, at(30))).toBe("checked");
    expect(await charges(r.id)).toHaveLength(1);
  });

  test("a negative balance with four decimals is below the threshold", async () => {
    const userId = 60020;
    const r = await enrol(userId);
    setBalance(userId, "-0.3044");
    expect(await runFor(r.id, at(0))).toBe("charged");
    expect(await events(r.id)).toContainEqual(expect.stringMatching(/^checked: Balance -0\.3044 EUR is below the threshold 10\.00 EUR/));
    await settle();
    expect(gw.navixy.user(userId)!.balance).toBe("19.6956");
    expect(await charges(r.id)).toHaveLength(1);
  });

  test("a top-up in flight blocks another: the database refuses a second one for the user", async () => {
    const userId = 60003;
    const r = await enrol(userId);
    const first = await recordCharge(services, r, 2000, "test:a", at(0));
    await expect(recordCharge(services, r, 2000, "test:b", at(0))).rejects.toMatchObject({ code: "P2002" });
    // The scheduler sees it in flight and skips the rule (and counts it toward the month).
    setBalance(userId, "0.50");
    expect(await runFor(r.id, at(0))).toBe("charged"); // it retries creating the stuck charge's PaymentIntent
    expect(await charges(r.id)).toHaveLength(1);
    expect((await charges(r.id))[0]!.id).toBe(first.charge.id);
    await settle();
    expect(await chargedThisMonth(services, r.id, at(0))).toBe(2000);
  });

  test("the monthly limit counts pending top-ups and stops charging until next month, saying why", async () => {
    const userId = 60004;
    const r = await enrol(userId, { amount: 2000, threshold: 1000, monthlyLimit: 4000 });
    for (const minute of [0, 15]) {
      setBalance(userId, "2.00");
      await run(at(minute));
      await settle();
    }
    expect(await charges(r.id)).toHaveLength(2);
    setBalance(userId, "2.00");
    expect(await runFor(r.id, at(30))).toBe("skipped");
    expect(await charges(r.id)).toHaveLength(2);
    expect((await events(r.id)).at(-1)).toMatch(/^skipped: Monthly limit reached: 40\.00 EUR of 40\.00 EUR this month \(pending top-ups included\)/);
    const after = await rule(userId);
    expect(after.nextCheckAt.getTime()).toBeGreaterThanOrEqual(nextMonthStart(at(30)).getTime());
    // A pending (not yet paid) top-up counts too.
    await services.db.autoTopUpRule.update({ where: { id: r.id }, data: { monthlyLimit: 8000 } });
    await recordCharge(services, r, 2000, "test:pending", at(23));
    expect(await chargedThisMonth(services, r.id, at(23))).toBe(6000);
  });

  test("soft declines are tried again after a day; the third turns the rule off", async () => {
    const userId = 60005;
    const r = await enrol(userId);
    await swapCard(userId, "4000000000009995"); // insufficient funds
    setBalance(userId, "3.00");
    expect(await runFor(r.id, at(0))).toBe("charged");
    let current = await rule(userId);
    expect(current).toMatchObject({ state: "active", softDeclines: 1 });
    expect(current.nextCheckAt.getTime()).toBe(at(0).getTime() + 86_400_000);
    expect(current.stateReason).toMatch(/insufficient_funds/);
    const [declined] = await charges(r.id);
    expect(declined).toMatchObject({ inFlightUserId: null });
    expect(await services.db.payment.findUniqueOrThrow({ where: { id: declined!.paymentId } })).toMatchObject({ status: "failed", failureCode: "insufficient_funds" });
    // Not before the day is over.
    expect(await runFor(r.id, at(60))).toBeUndefined();
    expect(await runFor(r.id, at(24 * 60 + 1))).toBe("charged");
    expect(await rule(userId)).toMatchObject({ state: "active", softDeclines: 2 });
    expect(await runFor(r.id, at(48 * 60 + 2))).toBe("charged");
    current = await rule(userId);
    expect(current).toMatchObject({ state: "disabled_repeated_declines", softDeclines: 3 });
    expect(await runFor(r.id, at(72 * 60 + 3))).toBeUndefined();
    expect(await charges(r.id)).toHaveLength(3);
    expect(await events(r.id)).toContainEqual(expect.stringMatching(/^disabled: Turned off after 3 declines in a row/));
    await settle();
    expect(await balance(userId)).toBe(300);
  });

  test.each([
    ["stolen card", 60006, "4000000000009979", "stolen_card"],
    ["expired card", 60007, "4000000000000069", "expired_card"],
  ])("a hard decline (%s) turns the rule off at once", async (_name, userId, card, code) => {
    const r = await enrol(userId);
    await swapCard(userId, card);
    setBalance(userId, "0.00");
    await run(at(0));
    expect(await rule(userId)).toMatchObject({ state: "disabled_card_declined" });
    expect((await rule(userId)).stateReason).toContain(code);
    expect(await events(r.id)).toContainEqual(expect.stringMatching(new RegExp(`^failed: Top-up of 20\\.00 EUR declined: ${code}`)));
    expect(await runFor(r.id, at(24 * 60 + 5))).toBeUndefined();
  });

  test("the bank asks for authentication: the rule pauses, the payer confirms at the checkout with the manage link, it resumes", async () => {
    const userId = 60008;
    const r = await enrol(userId, TERMS, "pm_card_authenticationRequired"); // 4000 0027 6000 3184: always asks
    const token = signManageToken(services.config, await rule(userId));
    // The checkout, as the manage link's holder opens it (the page sends the link's token).
    const checkoutStatus = async () =>
      (
        await checkoutRoute.GET(
          new Request(`${gw.url}/api/topup/checkout?userId=${userId}`, { headers: { [PEER_ADDRESS_HEADER]: "198.51.100.20", [MANAGE_TOKEN_HEADER]: token } }),
        )
      ).json();
    expect(await checkoutStatus()).toEqual({ offer: false, needsConfirmation: false, link: "valid" });

    setBalance(userId, "2.00");
    await run(at(0));
    expect(await rule(userId)).toMatchObject({ state: "paused_authentication_required" });
    expect(await checkoutStatus()).toEqual({ offer: false, needsConfirmation: true, link: "valid" });
    expect(await runFor(r.id, at(60))).toBeUndefined(); // paused: not checked

    const confirm = () =>
      confirmRoute.POST(
        new Request(`${gw.url}/api/topup/confirm`, {
          method: "POST",
          headers: { "content-type": "application/json", [PEER_ADDRESS_HEADER]: "198.51.100.20" },
          body: JSON.stringify({ userId, token }),
        }),
      );
    const res = await confirm();
    expect(res.status).toBe(200);
    const started = (await res.json()) as { paymentId: string; clientSecret: string };
    // Asked again before confirming: the same PaymentIntent.
    expect(((await (await confirm()).json()) as { clientSecret: string }).clientSecret).toBe(started.clientSecret);
    const piId = started.clientSecret.split("_secret_")[0]!;
    // What stripe.confirmCardPayment(clientSecret) does: confirm with the saved card, then the bank's challenge.
    const confirmed = await fetch(`${gw.stripeEmulator.url}/v1/payment_intents/${piId}/confirm`, {
      method: "POST",
      headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: started.clientSecret }),
    });
    expect(((await confirmed.json()) as { status: string }).status).toBe("requires_action");
    await authenticate(piId);
    await settle();
    expect(await rule(userId)).toMatchObject({ state: "active", softDeclines: 0 });
    expect(await balance(userId)).toBe(200 + 2000);
    expect(await checkoutStatus()).toEqual({ offer: false, needsConfirmation: false, link: "valid" });
    const timeline = await events(r.id);
    expect(timeline).toContainEqual(expect.stringMatching(/^paused: /));
    expect(timeline).toContainEqual(expect.stringMatching(/^resumed: /));
    expect((await confirm()).status).toBe(409); // nothing to confirm any more
  });

  test("schedulers racing (several passes, two database connections) still make one charge", async () => {
    const userId = 60009;
    const r = await enrol(userId);
    // PostgreSQL: a second client, as a second instance has. SQLite: the same one (better-sqlite3 is synchronous:
    // two connections in one process would block each other's thread; instances are separate processes).
    const other = gw.provider === "postgres" ? createDb(services.config.databaseUrl).db : services.db;
    try {
      const second: Services = { ...services, db: other };
      setBalance(userId, "0.00");
      const reports = await Promise.all([run(at(0)), run(at(0), second), run(at(0)), run(at(0), second)]);
      expect(reports.flatMap((x) => x.outcomes).filter((o) => o.ruleId === r.id)).toEqual([{ ruleId: r.id, outcome: "charged" }]);
      // Passes with different clocks, all due: the claim, the guard and the one-in-flight index leave one charge.
      await Promise.all([run(at(15)), run(at(15), second), run(at(30), second), run(at(30))]);
      expect(await charges(r.id)).toHaveLength(1);
      await settle();
      expect(await balance(userId)).toBe(2000);
    } finally {
      if (other !== services.db) await other.$disconnect();
    }
  });

  test("a slow pass overtaken by a later one does not charge on its stale balance", async () => {
    const userId = 60018;
    const r = await enrol(userId);
    setBalance(userId, "0.00");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let readDone!: () => void;
    const read = new Promise<void>((resolve) => (readDone = resolve));
    const slowNavixy = Object.create(services.navixy) as Services["navixy"];
    slowNavixy.readUser = async (id: number) => {
      const user = await services.navixy.readUser(id);
      readDone();
      await gate; // Navixy answered, then this instance stalled (GC pause, overloaded host...)
      return user;
    };
    const slowPass = runFor(r.id, at(0), { ...services, navixy: slowNavixy });
    await read;
    // By a later clock the slow pass's claim has run out: another pass charges, and the credit lands.
    expect(await runFor(r.id, at(15))).toBe("charged");
    await settle();
    expect(await balance(userId)).toBe(2000);
    release();
    // The slow pass read 0.00 before that top-up: it must not act on it.
    expect(await slowPass).toBe("skipped");
    expect(await charges(r.id)).toHaveLength(1);
    expect(await events(r.id)).toContainEqual(expect.stringMatching(/^skipped: Another scheduler checked this rule meanwhile/));
  });

  describe("the manage link", () => {
    const get = (token: string, query = "") => managePage.GET(new Request(`${gw.url}/topup/manage/${token}${query}`), { params: Promise.resolve({ token }) });
    const post = (fields: Record<string, string>, headers: Record<string, string> = { origin: new URL(gw.url).origin }, pathToken = fields.token ?? "") =>
      managePage.POST(
        new Request(`${gw.url}/topup/manage/${encodeURIComponent(pathToken)}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          body: new URLSearchParams(fields),
        }),
        { params: Promise.resolve({ token: encodeURIComponent(pathToken) }) },
      );

    test("shows the rule, turns it off in one click, and then shows it off", async () => {
      const userId = 60010;
      const r = await enrol(userId);
      const url = manageUrl(services.config, r);
      expect(url.startsWith(`${gw.url}/topup/manage/atr_`)).toBe(true);
      const token = url.split("/").at(-1)!;
      const page = await get(token);
      expect(page.status).toBe(200);
      expect(page.headers.get("referrer-policy")).toBe("same-origin");
      const html = await page.text();
      expect(html).toContain('data-state="active"');
      expect(html).toContain("€20.00");
      expect(html).toContain(`name="token" value="${token}"`);

      const off = await post({ token, action: "off" });
      expect(off.status).toBe(303);
      expect(off.headers.get("location")).toBe(`${url}?done=off`);
      expect(await rule(userId)).toMatchObject({ state: "disabled_by_payer" });
      const after = await (await get(token, "?done=off")).text();
      expect(after).toContain('data-state="disabled_by_payer"');
      expect(after).toContain("Automatic top-up is off. Your card will not be charged again.");
      expect(after).not.toContain("autotopup-turn-off");
      setBalance(userId, "0.00");
      expect(await runFor(r.id, at(0))).toBeUndefined();
      expect(await events(r.id)).toContainEqual("disabled: Turned off by the payer with the manage link.");
      // Turning off twice is harmless.
      expect((await post({ token, action: "off" })).status).toBe(303);
    });

    test("changes the terms, and refuses bad ones with the reason", async () => {
      const userId = 60011;
      const r = await enrol(userId);
      const token = signManageToken(services.config, r);
      const ok = await post({ token, action: "change", amount: "30", threshold: "15.50", limit: "120" });
      expect(ok.status).toBe(303);
      expect(await rule(userId)).toMatchObject({ amount: 3000, threshold: 1550, monthlyLimit: 12_000, mandateText: mandateText({ amount: 3000, threshold: 1550, monthlyLimit: 12_000 }, "eur", english, DEALER) });
      expect((await events(r.id)).at(-1)).toBe("changed: Terms changed by the payer (amount/threshold/monthly limit, minor units): 2000/1000/10000 → 3000/1550/12000.");
      const bad = await post({ token, action: "change", amount: "30", threshold: "15", limit: "10" });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("The monthly limit must be at least the top-up amount.");
      const garbage = await post({ token, action: "change", amount: "abc", threshold: "<script>", limit: "1" });
      expect(garbage.status).toBe(400);
      const text = await garbage.text();
      expect(text).not.toContain("<script>");
      expect(text).toContain("&lt;script&gt;");
    });

    test("a rule keeps the words it was agreed in; a change is agreed in today's words, naming the dealer", async () => {
      const userId = 60021;
      const r = await enrol(userId);
      // Agreed before the mandate named the dealer and wrote amounts as the page does.
      const earlier =
        "I authorise this payment service to save the card I pay with now and to charge it 20.00 EUR each time the balance of this account falls below 10.00 EUR, for no more than 100.00 EUR per calendar month (UTC), until I turn automatic top-up off.";
      await services.db.autoTopUpRule.update({ where: { id: r.id }, data: { mandateText: earlier } });
      const token = signManageToken(services.config, r);
      expect(await (await get(token)).text()).toContain(earlier);
      // Turning it off, or anything the scheduler does, leaves the agreed words alone.
      setBalance(userId, "0.00");
      await run(at(0));
      expect((await rule(userId)).mandateText).toBe(earlier);
      // New terms are a new agreement: in the payer's language (the page's), naming the dealer.
      const changed = await managePage.POST(
        new Request(`${gw.url}/topup/manage/${token}?lang=de`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(gw.url).origin, "x-gateway-locale": "de" },
          body: new URLSearchParams({ token, action: "change", amount: "30", threshold: "15", limit: "120" }),
        }),
        { params: Promise.resolve({ token }) },
      );
      expect(changed.status).toBe(303);
      const agreed = (await rule(userId)).mandateText;
      expect(agreed).toBe(mandateText({ amount: 3000, threshold: 1500, monthlyLimit: 12_000 }, "eur", translatorFor("de"), DEALER));
      expect(agreed).toContain(`Ich ermächtige ${DEALER},`);
      expect(agreed).toContain(formatMoney(3000, "eur", "de"));
    });

    test("refuses forged, expired and revoked links, and forms from another origin", async () => {
      const userId = 60012;
      const r = await enrol(userId);
      const token = signManageToken(services.config, r);
      const [id, version, exp, mac] = token.split(".");
      const forged = [
        `${id}.${version}.${Number(exp) + 86_400}.${mac}`, // longer life, same MAC
        `${id}.${Number(version) + 1}.${exp}.${mac}`,
        `${id}.${version}.${exp}.${"A".repeat(43)}`,
        signManageToken({ ...services.config, autoTopUp: { ...services.config.autoTopUp, linkSecret: "another-secret-of-at-least-32-characters!" } }, r),
        "atr_notarealid",
        "",
      ];
      for (const t of forged) {
        const res = await get(encodeURIComponent(t));
        expect(res.status, t).toBe(403);
        expect(await res.text()).toContain("This link is not valid");
        expect((await post({ token: t, action: "off" })).status).toBe(403);
      }
      const expired = signManageToken(services.config, r, new Date(Date.now() - 31 * 86_400_000));
      const gone = await get(expired);
      expect(gone.status).toBe(410);
      expect(await gone.text()).toContain("This link has expired");
      expect((await post({ token: expired, action: "off" })).status).toBe(410);

      // Another origin, or none at all: refused, nothing changed.
      expect((await post({ token, action: "off" }, { origin: "https://evil.example" })).status).toBe(403);
      expect((await post({ token, action: "off" }, {})).status).toBe(403);
      expect((await post({ token, action: "off" }, { referer: "https://evil.example/x" })).status).toBe(403);
      // The form's token must be the link's.
      const another = signManageToken(services.config, r, new Date(Date.now() - 1000));
      expect((await post({ token: another, action: "off" }, undefined, token)).status).toBe(403);
      expect(await rule(userId)).toMatchObject({ state: "active" });

      // Revoked: every earlier link stops working.
      expect(await revokeManageLinks(services.db, r.id)).toBe(true);
      const revoked = await get(token);
      expect(revoked.status).toBe(410);
      expect(await revoked.text()).toContain("This link no longer works");
      expect((await get(signManageToken(services.config, await rule(userId)))).status).toBe(200);
    });

    test("the return page shows the link only for the enrolment payment, with its client secret", async () => {
      const userId = 60013;
      const r = await enrol(userId);
      const shown = await manageLinkForReturn(services, r.piId, r.clientSecret);
      expect(shown?.url).toMatch(new RegExp(`^${gw.url}/topup/manage/${r.id}\\.`));
      expect(await manageLinkForReturn(services, r.piId, undefined)).toBeNull();
      // One character changed (to another: a secret may end in "x" already).
      const changed = `${r.clientSecret.slice(0, -1)}${r.clientSecret.endsWith("x") ? "y" : "x"}`;
      expect(await manageLinkForReturn(services, r.piId, changed)).toBeNull();
      const plain = await gw.pay(userId, 1000);
      expect(await manageLinkForReturn(services, plain.piId, plain.clientSecret)).toBeNull();
    });
  });

  test("enrolment is refused while a rule runs, with a changed mandate text, or with bad terms", async () => {
    const userId = 60014;
    await enrol(userId);
    const again = await gw.request("POST", "/api/payments", { userId, amount: 2500, autoTopUp: { ...TERMS, mandateText: mandateText(TERMS, "eur") } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("auto_top_up_exists");
    const otherUser = 60015;
    const tampered = await gw.request("POST", "/api/payments", { userId: otherUser, amount: 2500, autoTopUp: { ...TERMS, mandateText: "I agree to nothing" } });
    expect(tampered.status).toBe(409);
    expect(tampered.body.error.code).toBe("auto_top_up_terms_changed");
    const bad = { amount: 2000, threshold: 1000, monthlyLimit: 500 };
    const refused = await gw.request("POST", "/api/payments", { userId: otherUser, amount: 2500, autoTopUp: { ...bad, mandateText: mandateText(bad, "eur") } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("invalid_auto_top_up");
    expect(await services.db.autoTopUpRule.findFirst({ where: { navixyUserId: otherUser } })).toBeNull();
    // A plain payment of an enrolled user is unaffected.
    const plain = await gw.pay(userId, 1000);
    expect(plain.confirmed.status).toBe(200);
  });

  test("the mandate names the dealer in the payer's language and money format: accepted as read, refused with another name", async () => {
    const userId = 60022;
    const russian = mandateText(TERMS, "eur", translatorFor("ru"), DEALER);
    expect(russian).toContain(`«${DEALER}»`);
    expect(russian).toContain(formatMoney(2000, "eur", "ru"));
    expect(russian).not.toContain("20.00 EUR");
    // As a browser may write it: its Intl's spaces inside the amounts are not the server's.
    const asRead = russian.replace(/[\u00a0\u202f]/g, " ");
    const res = await gw.request("POST", "/api/payments", { userId, amount: 2500, autoTopUp: { ...TERMS, mandateText: asRead } });
    expect(res.status, res.text).toBe(201);
    expect((await rule(userId)).mandateText).toBe(asRead);

    const other = 60023;
    const someoneElse = await gw.request("POST", "/api/payments", {
      userId: other,
      amount: 2500,
      autoTopUp: { ...TERMS, mandateText: mandateText(TERMS, "eur", translatorFor("ru"), "Another Dealer Ltd") },
    });
    expect(someoneElse.status).toBe(409);
    expect(someoneElse.body.error.code).toBe("auto_top_up_terms_changed");
    expect(await services.db.autoTopUpRule.findFirst({ where: { navixyUserId: other } })).toBeNull();
  });

  test("an abandoned enrolment turns the rule off; enrolling again replaces it", async () => {
    const userId = 60016;
    const res = await gw.request("POST", "/api/payments", { userId, amount: 2500, autoTopUp: { ...TERMS, mandateText: mandateText(TERMS, "eur") } });
    expect(res.status).toBe(201);
    const first = await rule(userId);
    const { cancelPayment } = await import("../payments/capture");
    await cancelPayment(services, res.body.paymentId, "test", "abandoned");
    expect(await rule(userId)).toMatchObject({ state: "disabled_enrolment_incomplete" });
    const r = await enrol(userId, { amount: 3000, threshold: 500, monthlyLimit: 9000 });
    expect(r).toMatchObject({ id: first.id, state: "active", amount: 3000, manageTokenVersion: first.manageTokenVersion + 1 });
  });

  test("the console's functions: list, timeline, pause, resume, turn off", async () => {
    const userId = 60017;
    const r = await enrol(userId);
    const listed = await listRules(services.db, { state: "active", limit: 200 });
    expect(listed.rules.map((x) => x.id)).toContain(r.id);
    expect(listed.rules[0]).not.toHaveProperty("mandateText");
    const page1 = await listRules(services.db, { limit: 2 });
    expect(page1.rules).toHaveLength(2);
    const page2 = await listRules(services.db, { limit: 2, cursor: page1.nextCursor! });
    expect(page2.rules.map((x) => x.id)).not.toContain(page1.rules[0]!.id);

    const paused = await pauseRule(services.db, r.id, "Checking with the customer");
    expect(paused).toMatchObject({ ok: true, before: { state: "active" }, after: { state: "paused", stateReason: "Checking with the customer" } });
    setBalance(userId, "0.00");
    expect(await runFor(r.id, at(0))).toBeUndefined();
    expect(await pauseRule(services.db, r.id)).toMatchObject({ ok: false, reason: "not_allowed" });
    expect(await resumeRule(services.db, r.id)).toMatchObject({ ok: true, after: { state: "active" } });
    const off = await disableRule(services.db, r.id);
    expect(off).toMatchObject({ ok: true, after: { state: "disabled_by_dealer" } });
    expect(await disableRule(services.db, r.id)).toMatchObject({ ok: false });
    expect(await disableRule(services.db, "atr_nope")).toMatchObject({ ok: false, reason: "not_found" });
    expect((await listRules(services.db, { state: "off", limit: 200 })).rules.map((x) => x.id)).toContain(r.id);

    const timeline = await ruleTimeline(services.db, r.id);
    expect(timeline?.rule).toMatchObject({ id: r.id, mandateText: mandateText(TERMS, "eur"), enrolmentPaymentId: r.paymentId });
    expect(timeline?.events.map((e) => e.kind)).toEqual(["disabled", "resumed", "paused", "enrolled", "enrolment_started"]);
    expect(await ruleTimeline(services.db, "atr_nope")).toBeNull();
  });
});
