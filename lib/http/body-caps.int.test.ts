// Every route that reads a request body caps it while reading (lib/http/body.ts): a body sent without a
// Content-Length and without end is refused with 413 once it passes the cap, the rest is never read, and nothing is
// written. The public JSON API answers {"error": {"code": "payload_too_large", ...}}.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { chunkedPost, endlessBody, type EndlessBody } from "../../dev/testing/bodies";
import { ADMIN_PASSWORD } from "../../dev/testing/admin-support";
import { login } from "../admin/auth";
import { MAX_FORM_BODY_BYTES, MAX_JSON_BODY_BYTES } from "./body";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import * as paymentsRoute from "../../app/api/payments/route";
import * as confirmRoute from "../../app/api/topup/confirm/route";
import * as webhookRoute from "../../app/api/stripe/webhook/route";
import * as loginRoute from "../../app/admin/session/route";
import * as logoutRoute from "../../app/admin/logout/route";
import * as actionRoute from "../../app/admin/actions/[action]/route";
import * as managePage from "../../app/topup/manage/[token]/route";

const skip = databaseUnavailable();
const WEBHOOK_MAX = 1024 * 1024;
/** What a capped reader may take beyond its cap: the chunk that crossed it, and one the stream had queued. */
const SLACK = 64 * 1024;

describe.skipIf(skip)("request bodies are capped while they are read", () => {
  let gw: Gateway;
  let origin: string;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD } });
    origin = new URL(gw.url).origin;
    const outcome = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.50" });
    if (outcome.kind !== "ok") throw new Error("login failed");
    cookie = outcome.cookie.split(";")[0]!;
    csrf = outcome.session.csrfToken;
  });
  afterAll(async () => gw?.close());

  const ledger = async () => ({
    payments: await gw.services.rootDb.payment.count(),
    events: await gw.services.rootDb.stripeEvent.count(),
    audit: await gw.services.rootDb.auditLog.count(),
    sessions: await gw.services.rootDb.adminSession.count(),
  });

  async function expectRefused(response: Response, body: EndlessBody, cap: number): Promise<string> {
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(cap + SLACK);
    expect(body.canceled()).toBe(true);
    return response.text();
  }

  test("the public JSON API: POST /api/payments and /api/topup/confirm answer 413 payload_too_large", async () => {
    const before = await ledger();
    for (const handler of [paymentsRoute.POST, confirmRoute.POST]) {
      const body = endlessBody('{"userId": 10001, "amount": 500, "locale": "', "a");
      // As under `next start`, where every request carries its connection's address (lib/server/peer-address.ts).
      const headers = { "content-type": "application/json", [PEER_ADDRESS_HEADER]: "192.0.2.60" };
      const text = await expectRefused(await handler(chunkedPost(`${gw.url}/api/x`, body, headers)), body, MAX_JSON_BODY_BYTES);
      expect(JSON.parse(text).error.code).toBe("payload_too_large");
    }
    expect(await ledger()).toEqual(before);
  });

  test("the Stripe webhook: past 1 MB without a Content-Length, 413 without reading the rest", async () => {
    const before = await ledger();
    const body = endlessBody('{"id": "evt_huge", "object": "event", "type": "payment_intent.succeeded", "pad": "', "b");
    const response = await webhookRoute.POST(chunkedPost(`${gw.url}/api/stripe/webhook`, body, { "content-type": "application/json", "stripe-signature": `t=1,v1=${"0".repeat(64)}` }));
    const text = await expectRefused(response, body, WEBHOOK_MAX);
    expect(JSON.parse(text).error.code).toBe("payload_too_large");
    expect(await ledger()).toEqual(before);
  });

  test("the console's forms: sign-in, sign-out and every action answer 413", async () => {
    const before = await ledger();
    const form = { "content-type": "application/x-www-form-urlencoded", origin, cookie };
    const cases: [string, (r: Request) => Promise<Response>][] = [
      ["/admin/session", (r) => loginRoute.POST(r)],
      ["/admin/logout", (r) => logoutRoute.POST(r)],
      ["/admin/actions/retry", (r) => actionRoute.POST(r, { params: Promise.resolve({ action: "retry" }) })],
    ];
    for (const [path, call] of cases) {
      const body = endlessBody(`csrf=${encodeURIComponent(csrf)}&password=${encodeURIComponent(ADMIN_PASSWORD)}&movementId=`, "c");
      await expectRefused(await call(chunkedPost(`${gw.url}${path}`, body, form)), body, MAX_FORM_BODY_BYTES);
    }
    expect(await ledger()).toEqual(before);
  });

  test("the automatic top-up manage page's form answers 413 with a page", async () => {
    const body = endlessBody("token=atr_x&action=off&pad=", "d");
    const response = await managePage.POST(chunkedPost(`${gw.url}/topup/manage/atr_x`, body, { "content-type": "application/x-www-form-urlencoded", origin }), {
      params: Promise.resolve({ token: "atr_x" }),
    });
    const html = await expectRefused(response, body, MAX_FORM_BODY_BYTES);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("Nothing was changed");
  });
});
