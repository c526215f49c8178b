// POST /api/topup/confirm refuses bad input like POST /api/payments does: a clear 4xx in the standard error shape
// ({"error": {"code", "message"}}), and nothing changes: no payment, no PaymentIntent, no charge, the rule as it was.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { monthStart } from "./schedule";
import { runAutoTopUps } from "./scheduler";
import { mandateText, type AutoTopUpTerms } from "./terms";
import * as confirmRoute from "../../app/api/topup/confirm/route";
import { PEER_ADDRESS_HEADER } from "../security/client-address";

const USER_ID = 61001;
const TERMS: AutoTopUpTerms = { amount: 2000, threshold: 1000, monthlyLimit: 10_000 };
/** A "now" far enough ahead that the rule is due whatever the real clock says, in the middle of a month. */
const DUE = new Date(monthStart(new Date(Date.now() + 40 * 86_400_000)).getTime() + 9 * 86_400_000);

describe.skipIf(databaseUnavailable())("confirming an automatic top-up at the checkout", () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({
      users: [{ id: USER_ID, firstName: "Auto", lastName: "Payer", balance: "0.00" }],
      env: { AUTO_TOP_UP_CHECK_INTERVAL: "10m", RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m" },
    });
    // The payer opts in with a card whose bank always asks for authentication, then the balance falls: the
    // off-session top-up is refused and the rule waits for the payer's confirmation.
    const res = await gw.request("POST", "/api/payments", { userId: USER_ID, amount: 2500, autoTopUp: { ...TERMS, mandateText: mandateText(TERMS, "eur") } });
    expect(res.status, res.text).toBe(201);
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;
    const confirmed = await gw.confirmAsPayer(piId, res.body.clientSecret, "pm_card_authenticationRequired");
    if (confirmed.body.status === "requires_action") {
      const authenticated = await fetch(`${gw.stripeEmulator.url}/_emulator/payment_intents/${piId}/authenticate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "complete" }),
      });
      expect(authenticated.status).toBe(200);
    }
    await gw.waitCredited(res.body.paymentId);
    await waitFor(async () => (await rule()).state === "active", { what: "rule active" });
    gw.navixy.setUsers([{ id: USER_ID, firstName: "Auto", lastName: "Payer", balance: "2.00" }]);
    await runAutoTopUps(gw.services, { now: DUE });
    expect(await rule()).toMatchObject({ state: "paused_authentication_required" });
  });
  afterAll(async () => gw?.close());

  const rule = () => gw.services.db.autoTopUpRule.findFirstOrThrow({ where: { navixyUserId: USER_ID } });

  /** What a confirmation would create or change. */
  async function ledger() {
    const { db } = gw.services;
    return {
      payments: await db.payment.count(),
      charges: await db.autoTopUpCharge.count(),
      paymentIntents: gw.stripeEmulator.paymentIntents().length,
      rule: await rule(),
    };
  }

  const post = (body: string | undefined, headers: Record<string, string> = { "content-type": "application/json" }) =>
    confirmRoute.POST(new Request(`${gw.url}/api/topup/confirm`, { method: "POST", headers: { [PEER_ADDRESS_HEADER]: "198.51.100.30", ...headers }, body }));

  test.each([
    ["not JSON", 400, "invalid_json", "{userId: 1", undefined],
    ["an empty body", 400, "invalid_json", "", undefined],
    ["no user id", 400, "invalid_user_id", "{}", undefined],
    ["a negative user id", 400, "invalid_user_id", JSON.stringify({ userId: -USER_ID }), undefined],
    ["a user id as text", 400, "invalid_user_id", JSON.stringify({ userId: String(USER_ID) }), undefined],
    ["a fractional user id", 400, "invalid_user_id", JSON.stringify({ userId: USER_ID + 0.5 }), undefined],
    ["an array", 400, "invalid_user_id", JSON.stringify([USER_ID]), undefined],
    ["a form instead of JSON", 415, "unsupported_media_type", `userId=${USER_ID}`, { "content-type": "application/x-www-form-urlencoded" }],
    ["JSON sent as text", 415, "unsupported_media_type", JSON.stringify({ userId: USER_ID }), { "content-type": "text/plain" }],
  ])("%s → %i %s, nothing changed", async (_what, status, code, body, headers) => {
    const before = await ledger();
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    const answer = JSON.parse(text) as { error: { code: string; message: string } };
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(Object.keys(answer.error).sort()).toEqual(["code", "message"]);
    expect(answer.error.code).toBe(code);
    expect(answer.error.message).toMatch(/\w+ \w+/);
    expect(text).not.toMatch(/at \w+ \(|node_modules|prisma|zod/i);
    expect(await ledger()).toEqual(before);
  });

  test("the same request, well formed, starts the confirmation (what the refusals did not)", async () => {
    const before = await ledger();
    const res = await post(JSON.stringify({ userId: USER_ID }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ paymentId: expect.stringMatching(/^pay_/), clientSecret: expect.stringContaining("_secret_") });
    const after = await ledger();
    expect(after.payments).toBe(before.payments + 1);
    expect(after.charges).toBe(before.charges + 1);
    expect(after.paymentIntents).toBe(before.paymentIntents + 1);
  });
});
