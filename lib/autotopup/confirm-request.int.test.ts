// The checkout's two automatic top-up routes, over real HTTP. A user id is no proof of anything, so to anyone
// without the manage link GET /api/topup/checkout answers alike whether the user has no rule, an active, a paused or
// a turned-off one, and POST /api/topup/confirm (which charges the saved card) needs that link's token. Bad input
// gets a clear 4xx in the standard error shape and changes nothing; both routes are limited per client address.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { monthStart } from "./schedule";
import { runAutoTopUps } from "./scheduler";
import { mandateText, type AutoTopUpTerms } from "./terms";
import { signManageToken } from "./token";
import { MANAGE_TOKEN_HEADER } from "./checkout-proof";

const PAUSED = 61001;
const ACTIVE = 61002;
const NO_RULE = 61003;
const OFF = 61004;
const TERMS: AutoTopUpTerms = { amount: 2000, threshold: 1000, monthlyLimit: 10_000 };
/** A "now" far enough ahead that the rule is due whatever the real clock says, in the middle of a month. */
const DUE = new Date(monthStart(new Date(Date.now() + 40 * 86_400_000)).getTime() + 9 * 86_400_000);
const user = (id: number, balance = "0.00") => ({ id, firstName: "Auto", lastName: "Payer", balance });

describe.skipIf(databaseUnavailable())("automatic top-up at the checkout: what anyone sees, what the manage link allows", () => {
  let gw: Gateway;

  /** The payer opts in at the checkout with `card` and pays; the rule is active once the payment is credited. */
  async function enrol(userId: number, card: string): Promise<void> {
    const res = await gw.request("POST", "/api/payments", { userId, amount: 2500, autoTopUp: { ...TERMS, mandateText: mandateText(TERMS, "eur") } });
    expect(res.status, res.text).toBe(201);
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;
    const confirmed = await gw.confirmAsPayer(piId, res.body.clientSecret, card);
    if (confirmed.body.status === "requires_action") {
      const authenticated = await fetch(`${gw.stripeEmulator.url}/_emulator/payment_intents/${piId}/authenticate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "complete" }),
      });
      expect(authenticated.status).toBe(200);
    }
    await gw.waitCredited(res.body.paymentId);
    await waitFor(async () => (await rule(userId)).state === "active", { what: `rule of ${userId} active` });
  }

  beforeAll(async () => {
    gw = await startGateway({
      users: [user(PAUSED), user(ACTIVE), user(NO_RULE), user(OFF)],
      env: { AUTO_TOP_UP_CHECK_INTERVAL: "10m", RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m", RATE_LIMIT_AUTO_TOP_UP_PER_IP: "8/10m" },
    });
    // PAUSED opts in with a card whose bank always asks for authentication, then the balance falls: the off-session
    // top-up is refused and the rule waits for the payer's confirmation. ACTIVE and OFF use a card that just works.
    await enrol(PAUSED, "pm_card_authenticationRequired");
    await enrol(ACTIVE, "pm_card_visa");
    await enrol(OFF, "pm_card_visa");
    await gw.services.db.autoTopUpRule.updateMany({ where: { navixyUserId: OFF }, data: { state: "disabled_by_payer" } });
    gw.navixy.setUsers([user(PAUSED, "2.00")]);
    await runAutoTopUps(gw.services, { now: DUE });
    expect(await rule(PAUSED)).toMatchObject({ state: "paused_authentication_required" });
    expect(await rule(ACTIVE)).toMatchObject({ state: "active" });
  }, 60_000);
  afterAll(async () => gw?.close());

  const rule = (navixyUserId: number) => gw.services.db.autoTopUpRule.findFirstOrThrow({ where: { navixyUserId } });
  const tokenOf = async (navixyUserId: number, now = new Date()) => signManageToken(gw.services.config, await rule(navixyUserId), now);

  /** What a confirmation would create or change. */
  async function ledger() {
    const { db } = gw.services;
    return {
      payments: await db.payment.count(),
      charges: await db.autoTopUpCharge.count(),
      paymentIntents: gw.stripeEmulator.paymentIntents().length,
      rule: await rule(PAUSED),
    };
  }

  /** Each test from its own client address (the harness's connection is a proxy on loopback). */
  const status = (userId: number, from: string, token?: string) =>
    gw.request("GET", `/api/topup/checkout?userId=${userId}`, undefined, { "x-forwarded-for": from, ...(token ? { [MANAGE_TOKEN_HEADER]: token } : {}) });
  const confirm = (body: unknown, from: string, headers: Record<string, string> = {}) =>
    gw.request("POST", "/api/topup/confirm", body, { "x-forwarded-for": from, ...headers });

  test("anyone without the link gets one answer, whether the user has no rule, an active, a paused or a turned-off one", async () => {
    const answers = [];
    for (const id of [NO_RULE, ACTIVE, PAUSED, OFF]) {
      const res = await status(id, "198.51.100.10");
      answers.push({ status: res.status, text: res.text });
    }
    expect(answers[0]).toEqual({ status: 200, text: JSON.stringify({ offer: true, needsConfirmation: false }) });
    for (const a of answers) expect(a).toEqual(answers[0]);
  });

  test("the manage link's token shows its own user's state; for another user, or forged, the anonymous answer", async () => {
    const from = "198.51.100.11";
    expect((await status(PAUSED, from, await tokenOf(PAUSED))).body).toEqual({ offer: false, needsConfirmation: true, link: "valid" });
    expect((await status(ACTIVE, from, await tokenOf(ACTIVE))).body).toEqual({ offer: false, needsConfirmation: false, link: "valid" });
    expect((await status(PAUSED, from, await tokenOf(ACTIVE))).body).toEqual({ offer: true, needsConfirmation: false, link: "invalid" });
    const forged = `${(await rule(PAUSED)).id}.0.4102444800.${"A".repeat(43)}`;
    expect((await status(PAUSED, from, forged)).body).toEqual({ offer: true, needsConfirmation: false, link: "invalid" });
  });

  test("confirming needs the manage link: without it, forged, another user's or expired, nothing happens", async () => {
    const from = "198.51.100.12";
    const before = await ledger();
    const refusals: [unknown, number, string][] = [
      [{ userId: PAUSED }, 403, "manage_link_required"],
      [{ userId: PAUSED, token: `${before.rule.id}.0.4102444800.${"A".repeat(43)}` }, 403, "manage_link_required"],
      [{ userId: PAUSED, token: await tokenOf(ACTIVE) }, 403, "manage_link_required"],
      [{ userId: PAUSED, token: await tokenOf(PAUSED, new Date(Date.now() - 31 * 86_400_000)) }, 410, "manage_link_expired"],
    ];
    for (const [body, code, name] of refusals) {
      const res = await confirm(body, from);
      expect(res.status, res.text).toBe(code);
      expect(res.body.error.code).toBe(name);
    }
    // A user without a rule is refused exactly like one with a rule.
    const none = await confirm({ userId: NO_RULE }, from);
    expect({ status: none.status, text: none.text }).toEqual({ status: 403, text: (await confirm({ userId: PAUSED }, "198.51.100.13")).text });
    expect(await ledger()).toEqual(before);
  });

  test("with the link, the confirmation starts: the on-session PaymentIntent the page confirms with Stripe.js", async () => {
    const before = await ledger();
    const res = await confirm({ userId: PAUSED, token: await tokenOf(PAUSED) }, "198.51.100.14");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ paymentId: expect.stringMatching(/^pay_/), clientSecret: expect.stringContaining("_secret_") });
    const after = await ledger();
    expect(after.payments).toBe(before.payments + 1);
    expect(after.charges).toBe(before.charges + 1);
    expect(after.paymentIntents).toBe(before.paymentIntents + 1);
  });

  test("both routes count against one limit per client address; another address is not affected", async () => {
    const from = "203.0.113.50";
    for (let i = 0; i < 4; i++) expect((await status(NO_RULE, from)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await confirm({ userId: NO_RULE }, from)).status).toBe(403);
    const limited = await status(NO_RULE, from);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect((await confirm({ userId: PAUSED, token: await tokenOf(PAUSED) }, from)).status).toBe(429);
    expect((await status(NO_RULE, "203.0.113.51")).status).toBe(200);
  });

  let refusal = 0;
  test.each([
    ["not JSON", 400, "invalid_json", "{userId: 1", undefined],
    ["an empty body", 400, "invalid_json", "", undefined],
    ["no user id", 400, "invalid_user_id", "{}", undefined],
    ["a negative user id", 400, "invalid_user_id", JSON.stringify({ userId: -PAUSED }), undefined],
    ["a user id as text", 400, "invalid_user_id", JSON.stringify({ userId: String(PAUSED) }), undefined],
    ["a fractional user id", 400, "invalid_user_id", JSON.stringify({ userId: PAUSED + 0.5 }), undefined],
    ["an array", 400, "invalid_user_id", JSON.stringify([PAUSED]), undefined],
    ["a token that is not text", 400, "invalid_token", JSON.stringify({ userId: PAUSED, token: 7 }), undefined],
    ["a form instead of JSON", 415, "unsupported_media_type", `userId=${PAUSED}`, { "content-type": "application/x-www-form-urlencoded" }],
    ["JSON sent as text", 415, "unsupported_media_type", JSON.stringify({ userId: PAUSED }), { "content-type": "text/plain" }],
  ])("%s → %i %s, nothing changed", async (_what, code, name, body, headers) => {
    const before = await ledger();
    const res = await confirm(body, `198.51.100.${100 + ++refusal}`, headers ?? { "content-type": "application/json" });
    expect(res.status).toBe(code);
    const answer = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(Object.keys(answer.error).sort()).toEqual(["code", "message"]);
    expect(answer.error.code).toBe(name);
    expect(answer.error.message).toMatch(/\w+ \w+/);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|prisma|zod/i);
    expect(await ledger()).toEqual(before);
  });
});
