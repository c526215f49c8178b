// A hosted dealer's alerts: its own recipients (through the deployment's mail server, which it inherits), never the
// environment's; a Navixy login refused for longer than ALERT_FAILING_FOR is told once and resolved once a login
// works again; each dealer's console sees its own incidents only.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { addHostedDealer, type HostedDealer } from "../../dev/testing/hosted-dealer";
import { startSmtpReceiver, type SmtpReceiver } from "../../dev/testing/alert-receivers";
import { createWorker } from "../server/start";
import { servicesForDealer, type Services } from "../server/services";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { retryMovement } from "../payments/retry-movement";
import { asMovementId, newPaymentId } from "../ids";
import { alertsView, operationsView } from "../admin/alerts";
import { drainAlertSends } from "./deliveries";

const skip = databaseUnavailable();
const B_KEYS = { secret: "sk_test_dealer_b_alerts", publishable: "pk_test_dealer_b_alerts", webhookSecret: "whsec_dealer_b_alerts_secret" };
const SECRETS_KEY = `k1:${Buffer.alloc(32, 9).toString("base64")}`;
const LOGIN_REFUSED = "Navixy refuses the gateway's login";

describe.skipIf(skip)("a hosted dealer's alerts", () => {
  let smtp: SmtpReceiver;
  let gw: Gateway;
  let hosted: HostedDealer;
  let b: Services;
  let worker: LedgerWorker;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    gw = await startGateway({
      worker: false,
      env: {
        SECRETS_KEY,
        ALERT_EMAIL_TO: "ops@deployment.example",
        ALERT_EMAIL_FROM: "gateway@deployment.example",
        ALERT_SMTP_URL: smtp.url,
        ALERT_EVALUATE_INTERVAL: "1s",
        ALERT_FAILING_FOR: "2s",
        NAVIXY_TIMEOUT_MS: "5000",
      },
    });
    hosted = await addHostedDealer(B_KEYS, { ALERT_EMAIL_TO: "alerts@dealer-b.example", NAVIXY_TIMEOUT_MS: "5000" });
    expect(hosted.report.blocking).toEqual([]);
    b = (await servicesForDealer(hosted.report.dealer.id))!;
    worker = createWorker(gw.services);
    worker.start();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await drainAlertSends();
    await hosted?.stripe.close();
    await hosted?.navixy.close();
    await gw?.close();
    await smtp?.close();
  });

  test("its Navixy login refused: told to its own recipients once it lasts, resolved once a login works, in its console only", async () => {
    // Navixy refuses B's panel login from now on; B owes a credit.
    hosted.navixy.addFault({ method: "panel/account/auth", always: true, action: { type: "error", code: 102 } });
    hosted.navixy.expireSessions();
    b.navixy.resetSession();
    const paymentId = newPaymentId();
    await b.db.payment.create({ data: { id: paymentId, navixyUserId: 20001, amount: 700, currency: "eur", status: "succeeded", amountReceived: 700, succeededAt: new Date() } });
    const movement = await b.db.balanceMovement.create({
      data: {
        id: `mv_alerts_${paymentId.slice(-8)}`,
        paymentId,
        kind: "credit",
        navixyUserId: 20001,
        amount: 700,
        currency: "eur",
        navixyAmount: "7.00",
        reference: "pi_alerts_login_0001",
        text: "Top-up via Stripe, ref pi_alerts_login_0001",
        idempotencyKey: "credit:pi_alerts_login_0001",
      },
    });
    gw.services.wakeWorker();

    const told = await waitFor(() => smtp.mails.find((m) => m.text.includes(LOGIN_REFUSED)), { what: "the login incident's e-mail", timeoutMs: 20_000 });
    expect(told.to).toEqual(["alerts@dealer-b.example"]);
    expect(told.from).toBe("gateway@deployment.example");
    expect(told.subject).toContain("[Dealer B (dealer-b)]");
    expect(told.text).toContain("Navixy refused the login (error 102: wrong login or password)");
    expect(told.text).toContain("npm run dealers -- check dealer-b");
    // The environment's recipients hear nothing of another dealer.
    expect(smtp.mails.filter((m) => m.to.includes("ops@deployment.example"))).toEqual([]);

    // Its console lists it; the environment's does not.
    const own = await alertsView(b);
    expect(own.live.map((i) => i.kind).sort()).toEqual(["credit_attention", "navixy_login"]);
    expect((await alertsView(gw.services)).live).toEqual([]);
    const ops = await operationsView(b);
    expect(ops.channels).toEqual(["email"]);
    expect(ops.ops.alertsOpen.navixy_login).toBe(1);

    // Fixed: the login works again, the credit is retried and applied.
    hosted.navixy.clearFaults();
    await retryMovement(b, asMovementId(movement.id));
    await waitFor(async () => (await b.db.balanceMovement.findUnique({ where: { id: movement.id } }))?.state === "applied", { what: "the credit applied" });
    const resolved = await waitFor(() => smtp.mails.find((m) => m.subject.includes(`Resolved: ${LOGIN_REFUSED}`) || m.text.includes(`Resolved: ${LOGIN_REFUSED}`)), {
      what: "the login incident resolved",
      timeoutMs: 20_000,
    });
    expect(resolved.to).toEqual(["alerts@dealer-b.example"]);
    expect((await alertsView(b)).live).toEqual([]);
    expect((await alertsView(b)).recent.map((i) => i.kind).sort()).toEqual(["credit_attention", "navixy_login"]);
    // Told once each: opened and resolved.
    const about = smtp.mails.filter((m) => m.text.includes(LOGIN_REFUSED));
    expect(about.filter((m) => /Resolved: /.test(m.text) && m.text.includes(`Resolved: ${LOGIN_REFUSED}`))).toHaveLength(1);
    expect(about.filter((m) => !m.text.includes(`Resolved: ${LOGIN_REFUSED}`))).toHaveLength(1);
  });
});
