// Alerts to the dealer, end to end: a real SMTP server and a webhook receiver in this process, the gateway's route
// handlers over HTTP, Navixy's emulator refusing a credit, and two workers on one database (two instances).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { startSilentServer, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "../../dev/testing/alert-receivers";
import { createWorker } from "../server/start";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { retryMovement } from "../payments/retry-movement";
import { asMovementId } from "../ids";
import { alertSendsInFlight, claimAndSend, drainAlertSends } from "./deliveries";

const skip = databaseUnavailable();
const CHANGE_BALANCE = "panel/user/transaction/change_balance";

async function failedCredit(gw: Gateway, paymentId: string) {
  return waitFor(async () => {
    const m = await gw.services.db.balanceMovement.findFirst({ where: { paymentId, kind: "credit" } });
    return m?.state === "failed" ? m : null;
  });
}

describe.skipIf(skip)("alerts to the dealer", () => {
  let smtp: SmtpReceiver;
  let hook: WebhookReceiver;
  let gw: Gateway;
  const workers: LedgerWorker[] = [];

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver();
    gw = await startGateway({
      worker: false,
      env: {
        ALERT_EMAIL_TO: "ops@dealer.example, oncall@dealer.example",
        ALERT_EMAIL_FROM: "gateway@dealer.example",
        ALERT_SMTP_URL: smtp.url,
        ALERT_WEBHOOK_URL: hook.url,
        ALERT_EVALUATE_INTERVAL: "1s",
        ALERT_REMIND_AFTER: "5s",
        ALERT_SEND_TIMEOUT: "3s",
        BRAND_NAME: "Acme GPS",
        // A loaded machine's first login can take more than the harness's 1 s.
        NAVIXY_TIMEOUT_MS: "5000",
      },
    });
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await drainAlertSends();
    gw.navixy.clearFaults();
  });

  afterAll(async () => {
    await gw?.close();
    await smtp?.close();
    await hook?.close();
  });

  test("a credit Navixy refuses: one e-mail and one webhook with two instances running, a reminder while it lasts, one resolution once credited", async () => {
    // Two instances' workers on one database.
    for (let i = 0; i < 2; i++) {
      const w = createWorker(gw.services);
      w.start();
      workers.push(w);
    }
    gw.navixy.addFault({ method: CHANGE_BALANCE, always: true, action: { type: "error", code: 201 } });
    const paid = await gw.pay(10001, 2500);
    const movement = await failedCredit(gw, paid.paymentId);

    const opened = await waitFor(() => smtp.mails.find((m) => /credit to Navixy failed/.test(m.subject)), { what: "the incident's e-mail" });
    expect(opened.subject).toBe("[Acme GPS] 1 credit to Navixy failed or has an unknown outcome after retries");
    expect(opened.to.sort()).toEqual(["oncall@dealer.example", "ops@dealer.example"]);
    expect(opened.from).toBe("gateway@dealer.example");
    // What happened, which payment, the command and the console link that fix it.
    expect(opened.text).toContain(paid.paymentId);
    expect(opened.text).toContain("for Navixy user 10001");
    expect(opened.text).toContain("Navixy error 201");
    expect(opened.text).toContain(`once fixed: npm run payments -- retry ${movement.id}`);
    expect(opened.text).toContain(`Console: ${gw.url}/admin/attention`);
    const post = await waitFor(() => hook.posts.find((p) => p.body?.alerts?.[0]?.event === "opened"), { what: "the incident's webhook" });
    expect(post.body.text).toContain("*Acme GPS: 1 credit to Navixy failed");
    expect(post.body.alerts[0]).toMatchObject({ kind: "credit_attention", event: "opened", count: 1 });
    expect(post.body.alerts[0].payments[0]).toContain(paid.paymentId);
    expect(post.headers["content-type"]).toContain("application/json");

    // Both workers kept evaluating and looking for deliveries meanwhile: still one of each.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(smtp.mails.filter((m) => !/Still:|Resolved:/.test(m.subject))).toHaveLength(1);
    expect(hook.posts.filter((p) => p.body.alerts[0].event === "opened")).toHaveLength(1);

    // It lasts: a reminder.
    const reminder = await waitFor(() => smtp.mails.find((m) => m.subject.startsWith("[Acme GPS] Still: ")), { what: "a reminder", timeoutMs: 20_000 });
    expect(reminder.text).toContain(paid.paymentId);

    // Fixed in Navixy and retried: credited, and the incident resolves, told once on each channel.
    gw.navixy.clearFaults();
    await retryMovement(gw.services, asMovementId(movement.id));
    await gw.waitCredited(paid.paymentId);
    const resolved = await waitFor(() => smtp.mails.find((m) => m.subject.startsWith("[Acme GPS] Resolved: ")), { what: "the resolution", timeoutMs: 20_000 });
    expect(resolved.text).toMatch(/Cleared at /);
    await waitFor(() => hook.posts.find((p) => p.body.alerts.some((a: { event: string }) => a.event === "resolved")), { what: "the resolution's webhook" });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(smtp.mails.filter((m) => m.subject.startsWith("[Acme GPS] Resolved: "))).toHaveLength(1);

    const incidents = await gw.services.db.alertIncident.findMany();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ kind: "credit_attention", state: "resolved", openKey: null });
    // Every alert in the audit log.
    const audit = await gw.services.db.auditLog.findMany({ where: { action: { startsWith: "alert." } } });
    const actions = audit.map((a) => a.action);
    expect(actions.filter((a) => a === "alert.opened")).toHaveLength(1);
    expect(actions.filter((a) => a === "alert.resolved")).toHaveLength(1);
    const sent = audit.filter((a) => a.action === "alert.sent").map((a) => JSON.parse(a.after!) as { event: string; channel: string });
    expect(sent.filter((s) => s.event === "opened").map((s) => s.channel).sort()).toEqual(["email", "webhook"]);
    expect(sent.filter((s) => s.event === "resolved").map((s) => s.channel).sort()).toEqual(["email", "webhook"]);
  });
});

describe.skipIf(skip)("a dead mail server", () => {
  test("never delays a credit, even with a worker of one slot; the message is retried later", async () => {
    const silent = await startSilentServer();
    const gw = await startGateway({
      worker: false,
      env: {
        ALERT_EMAIL_TO: "ops@dealer.example",
        ALERT_EMAIL_FROM: "gateway@dealer.example",
        ALERT_SMTP_URL: silent.url,
        ALERT_EVALUATE_INTERVAL: "1s",
        ALERT_SEND_TIMEOUT: "8s",
        WORKER_CONCURRENCY: "1",
        NAVIXY_TIMEOUT_MS: "5000",
      },
    });
    const worker = createWorker(gw.services);
    try {
      worker.start();
      gw.navixy.addFault({ method: CHANGE_BALANCE, userId: 10002, always: true, action: { type: "error", code: 201 } });
      const refused = await gw.pay(10002, 1000);
      await failedCredit(gw, refused.paymentId);
      // The incident's e-mail is being sent to a server that never answers.
      await waitFor(() => alertSendsInFlight() > 0 && silent.connections() > 0, { what: "a send hanging at the dead mail server" });
      const started = Date.now();
      const paid = await gw.pay(10001, 2500);
      await gw.waitCredited(paid.paymentId);
      const elapsed = Date.now() - started;
      // Well inside the send's 8 s timeout: the worker's one slot was never held by the mail server.
      expect(elapsed).toBeLessThan(4_000);
      expect(alertSendsInFlight()).toBe(1);
      // The send gives up at its timeout; the delivery waits for its retry with the reason.
      const delivery = await waitFor(
        async () => {
          const d = await gw.services.db.alertDelivery.findFirst({ where: { channel: "email" } });
          return d?.state === "pending" && d.lastError ? d : null;
        },
        { timeoutMs: 20_000, what: "the delivery put back" },
      );
      expect(delivery.lastError).toMatch(/no answer within 8000 ms/);
      expect(delivery.lastError).not.toContain(silent.url);
      expect(delivery.attempts).toBe(1);
      expect(delivery.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await worker.stop();
      await drainAlertSends();
      await gw.close();
      await silent.close();
    }
  });
});

describe.skipIf(skip)("never a flood", () => {
  test("deliveries due together go out as one message; over ALERT_MAX_PER_HOUR the rest wait for the hour and go out together", async () => {
    const smtp = await startSmtpReceiver();
    const gw = await startGateway({
      worker: false,
      env: { ALERT_EMAIL_TO: "ops@dealer.example", ALERT_EMAIL_FROM: "gateway@dealer.example", ALERT_SMTP_URL: smtp.url, ALERT_MAX_PER_HOUR: "2", NAVIXY_TIMEOUT_MS: "5000" },
    });
    const db = gw.services.rootDb;
    let n = 0;
    /** An open incident of the environment's dealer owing an e-mail. */
    const incident = async (method: string) => {
      const now = new Date();
      const id = `inc_test_${String(++n).padStart(3, "0")}`;
      await db.alertIncident.create({
        data: { id, dealerId: "default", kind: "navixy_permission", subject: method, openKey: `default|navixy_permission|${method}`, state: "open", firstSeenAt: now, openedAt: now, lastSeenAt: now, summary: `refused ${method}`, detail: "{}", count: 1 },
      });
      await db.alertDelivery.create({ data: { id: `ald_test_${String(n).padStart(3, "0")}`, dealerId: "default", incidentId: id, channel: "email", event: "opened" } });
    };
    try {
      for (const m of ["panel/user/read", "panel/user/transaction/change_balance", "panel/user/transaction/list", "panel/dealer/get_info", "panel/dealer/settings/service/read"]) await incident(m);
      expect(await claimAndSend(gw.services, "worker-test", "default", "email")).toBe("started");
      await drainAlertSends();
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]!.subject).toMatch(/^\[[^\]]+\] 5 alerts: Navixy refuses panel\/user\/read: a permission is missing; /);
      expect(smtp.mails[0]!.text.split("\n----\n")).toHaveLength(5);
      const sent = await db.alertDelivery.findMany();
      expect(new Set(sent.map((d) => d.messageId)).size).toBe(1);
      expect(sent.every((d) => d.state === "sent")).toBe(true);

      // A second message is within the cap of 2 an hour.
      await incident("balance/refill");
      expect(await claimAndSend(gw.services, "worker-test", "default", "email")).toBe("started");
      await drainAlertSends();
      expect(smtp.mails).toHaveLength(2);

      // The third and fourth wait for the hour, together; nothing is sent now.
      await incident("panel/user/update");
      await incident("panel/account/read");
      const until = await claimAndSend(gw.services, "worker-test", "default", "email");
      expect(until).toBeInstanceOf(Date);
      const firstSentAt = sent[0]!.sentAt!.getTime();
      expect((until as Date).getTime()).toBe(firstSentAt + 3_600_000);
      await drainAlertSends();
      expect(smtp.mails).toHaveLength(2);
      const waiting = await db.alertDelivery.findMany({ where: { state: "pending" } });
      expect(waiting.map((d) => d.nextAttemptAt.getTime())).toEqual([firstSentAt + 3_600_000, firstSentAt + 3_600_000]);
    } finally {
      await gw.close();
      await smtp.close();
    }
  });
});
