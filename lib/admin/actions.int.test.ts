// Console actions against the emulators: retry and resolve a failed credit, refund all or part (the
// webhook then debits Navixy), capture and release authorizations, the setup checks and the webhook
// endpoint button, the payment timeline. Every action is idempotent and leaves an audit row.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { needsAttention } from "../payments/attention";
import { AdminActionError, adminCapture, adminRelease, adminRetryMovement, refundPayment, resolveMovement } from "./actions";
import { attentionView } from "./attention";
import { paymentDetail, stripeDashboardUrl } from "./detail";
import { WEBHOOK_EVENTS, createWebhookEndpoint, runSetupChecks } from "./setup";
import { ADMIN_PASSWORD, WHO, creditOf, pay, waitForCredit } from "../../dev/testing/admin-support";

const skip = databaseUnavailable();
const USERS = Array.from({ length: 20 }, (_, i) => ({ id: 40001 + i, firstName: "Console", lastName: `User${i}`, balance: "100.00" }));
const refusedOnce = (userId: number) => ({ method: "panel/user/transaction/change_balance", userId, times: 1, action: { type: "error" as const, code: 13 } });

describe.skipIf(skip)("console actions (automatic capture)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { ADMIN_PASSWORD, SWEEP_INTERVAL_MS: "3600000" } });
  });
  afterAll(async () => gw?.close());

  const audits = (target: string) => gw.services.db.auditLog.findMany({ where: { target }, orderBy: { id: "asc" } });

  test("retry: a refused credit needs attention; retrying sends it once; retrying again changes nothing", async () => {
    gw.navixy.addFault(refusedOnce(40001));
    const { paymentId } = await pay(gw, 40001, 2500);
    const failed = await waitForCredit(gw, paymentId, "failed");
    expect(failed.needsAttention).toBe(true);
    expect((await needsAttention(gw.services)).some((i) => i.movementId === failed.id)).toBe(true);
    // The console's list carries what its advice and forms need about the movement.
    expect((await attentionView(gw.services)).find((i) => i.movementId === failed.id)).toMatchObject({ kind: "movement_failed", paymentId, lastErrorCode: 13, movementState: "failed" });

    await adminRetryMovement(gw.services, WHO, failed.id);
    await waitForCredit(gw, paymentId, "applied");
    expect(gw.navixy.balanceCents(40001)).toBe(10000 + 2500);
    expect(await adminRetryMovement(gw.services, WHO, failed.id)).toEqual({ state: "applied" });
    expect(gw.navixy.changeBalanceCalls(40001)).toBe(1);
    const rows = await audits(failed.id);
    expect(rows.map((r) => r.action)).toEqual(["movement.retry", "movement.retry"]);
    expect(JSON.parse(rows[0]!.before!)).toMatchObject({ state: "failed", needsAttention: true });
    expect(rows[0]).toMatchObject({ actor: WHO.actor, ip: WHO.ip });
    await expect(adminRetryMovement(gw.services, WHO, "mv_nope")).rejects.toBeInstanceOf(AdminActionError);
  });

  test("resolve by hand: a comment is required; applied or canceled; idempotent; audited", async () => {
    gw.navixy.addFault(refusedOnce(40002));
    gw.navixy.addFault(refusedOnce(40003));
    const a = await pay(gw, 40002, 1000);
    const b = await pay(gw, 40003, 1200);
    const ma = await waitForCredit(gw, a.paymentId, "failed");
    const mb = await waitForCredit(gw, b.paymentId, "failed");
    await expect(resolveMovement(gw.services, WHO, { movementId: ma.id, appliedInNavixy: true, comment: " " })).rejects.toThrow(/comment is required/);

    expect(await resolveMovement(gw.services, WHO, { movementId: ma.id, appliedInNavixy: true, comment: "credited by hand in the panel" })).toEqual({ state: "applied", changed: true });
    expect(await resolveMovement(gw.services, WHO, { movementId: ma.id, appliedInNavixy: true, comment: "again" })).toEqual({ state: "applied", changed: false });
    expect(await resolveMovement(gw.services, WHO, { movementId: mb.id, appliedInNavixy: false, comment: "payer asked to cancel" })).toEqual({ state: "canceled", changed: true });

    const ra = await creditOf(gw, a.paymentId);
    expect(ra).toMatchObject({ state: "applied", needsAttention: false });
    expect(ra!.lastError).toContain("credited by hand in the panel");
    expect(ra!.appliedAt).toBeInstanceOf(Date);
    expect(await creditOf(gw, b.paymentId)).toMatchObject({ state: "canceled", needsAttention: false });
    const items = await needsAttention(gw.services);
    expect(items.some((i) => i.movementId === ma.id || i.movementId === mb.id)).toBe(false);
    const [row] = await audits(ma.id);
    expect(row).toMatchObject({ action: "movement.resolve", comment: "credited by hand in the panel" });
    expect(JSON.parse(row!.after!)).toMatchObject({ state: "applied", appliedInNavixy: true });
    // The worker never sends a resolved movement.
    await gw.worker!.drain();
    expect(gw.navixy.changeBalanceCalls(40002)).toBe(0);
    expect(gw.navixy.changeBalanceCalls(40003)).toBe(0);
  });

  test("refund part, then the rest: Stripe refunds, the page shows it at once, Navixy is debited once per refund", async () => {
    const { paymentId, piId } = await pay(gw, 40004, 5000);
    await waitForCredit(gw, paymentId, "applied");
    const partial = await refundPayment(gw.services, WHO, { paymentId, amount: 1500, nonce: "form-nonce-1", comment: "half a month" });
    expect(partial).toMatchObject({ status: "partially_refunded", amountRefunded: 1500 });
    // Same form submitted twice: the same Stripe refund.
    await refundPayment(gw.services, WHO, { paymentId, amount: 1500, nonce: "form-nonce-1" });
    expect(gw.stripeEmulator.refunds().filter((r) => r.payment_intent === piId)).toHaveLength(1);
    await expect(refundPayment(gw.services, WHO, { paymentId, amount: 999_999, nonce: "form-nonce-2" })).rejects.toThrow(/between 0.01 and 35.00/);

    const full = await refundPayment(gw.services, WHO, { paymentId, nonce: "form-nonce-3" });
    expect(full).toMatchObject({ status: "refunded", amountRefunded: 5000 });
    await waitFor(async () => {
      const debits = await gw.services.db.balanceMovement.findMany({ where: { paymentId, kind: "debit" } });
      return debits.length === 2 && debits.every((d) => d.state === "applied");
    }, { what: "two debits applied" });
    expect(gw.navixy.balanceCents(40004)).toBe(10000);
    // Refunding a refunded payment is a no-op.
    expect((await refundPayment(gw.services, WHO, { paymentId, nonce: "form-nonce-4" })).status).toBe("refunded");
    const rows = (await audits(paymentId)).filter((r) => r.action === "payment.refund");
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(rows[0]!.after!)).toMatchObject({ refundAmount: 1500, status: "partially_refunded" });
    expect(rows[0]!.comment).toBe("half a month");
  });

  test("an unpaid payment cannot be refunded", async () => {
    const { paymentId } = await pay(gw, 40005, 1000, "pm_card_chargeDeclined");
    await waitFor(async () => (await gw.services.db.payment.findUnique({ where: { id: paymentId } }))?.status === "failed");
    await expect(refundPayment(gw.services, WHO, { paymentId, nonce: "nonce-abcdef" })).rejects.toThrow(/only a paid payment/);
  });

  test("the timeline has the Stripe events, status changes, movements, Navixy calls and console actions", async () => {
    gw.navixy.addFault(refusedOnce(40006));
    const { paymentId, piId } = await pay(gw, 40006, 3000);
    const failed = await waitForCredit(gw, paymentId, "failed");
    await adminRetryMovement(gw.services, WHO, failed.id);
    await waitForCredit(gw, paymentId, "applied");
    const detail = (await paymentDetail(gw.services, paymentId))!;
    const kinds = new Set(detail.timeline.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(["audit", "movement", "navixy_call", "status", "stripe_event"]);
    expect(detail.timeline.some((t) => t.kind === "stripe_event" && t.type === "payment_intent.succeeded")).toBe(true);
    const calls = detail.timeline.filter((t) => t.kind === "navixy_call");
    expect(calls.map((c) => (c.kind === "navixy_call" ? c.outcome : ""))).toEqual(expect.arrayContaining(["refused", "applied"]));
    expect(calls.every((c) => c.kind === "navixy_call" && c.text.includes(piId) && c.durationMs >= 0)).toBe(true);
    const times = detail.timeline.map((t) => t.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(detail.creditState).toBe("credited");
    expect(detail.stripeDashboardUrl).toBe(`https://dashboard.stripe.com/test/payments/${piId}`);
    expect(stripeDashboardUrl("pi_1", true)).toBe("https://dashboard.stripe.com/payments/pi_1");
    expect(await paymentDetail(gw.services, "pay_nope")).toBeNull();
  });

  test("setup: live checks and the webhook endpoint button (created once, secret shown once)", async () => {
    const checks = await runSetupChecks(gw.services);
    const state = Object.fromEntries(checks.map((c) => [c.id, c.state]));
    expect(state).toMatchObject({
      "navixy-login": "ok",
      "navixy-currency": "ok",
      "navixy-transactions": "ok",
      "stripe-key": "ok",
      "stripe-mode": "ok",
      "webhook-secret": "ok",
      "webhook-last": "ok",
    });
    expect(checks.find((c) => c.id === "navixy-currency")!.detail).toContain("EUR");

    const created = await createWebhookEndpoint(gw.services, WHO);
    expect(created).toMatchObject({ kind: "created", url: `${gw.url}/api/stripe/webhook` });
    if (created.kind !== "created") return;
    expect(created.secret).toMatch(/^whsec_/);
    const listed = await gw.stripe.webhookEndpoints.list();
    expect(listed.data.find((e) => e.id === created.endpointId)?.enabled_events).toEqual([...WEBHOOK_EVENTS]);
    expect(await createWebhookEndpoint(gw.services, WHO)).toEqual({ kind: "exists", endpointId: created.endpointId, url: created.url });
    const rows = await gw.services.db.auditLog.findMany({ where: { action: "stripe.webhook_endpoint.create" } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => !(r.after ?? "").includes(created.secret))).toBe(true);

    // Navixy down: the checks say so instead of failing the page.
    await gw.navixy.setOutage(true);
    gw.services.navixy.resetSession();
    try {
      const down = await runSetupChecks(gw.services);
      expect(down.find((c) => c.id === "navixy-login")!.state).toBe("failed");
      expect(down.find((c) => c.id === "stripe-key")!.state).toBe("ok");
    } finally {
      await gw.navixy.setOutage(false);
    }
  });
});

describe.skipIf(skip)("console actions (manual capture)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { ADMIN_PASSWORD, PAYMENT_CAPTURE: "manual", SWEEP_INTERVAL_MS: "3600000" } });
  });
  afterAll(async () => gw?.close());

  const status = async (id: string) => (await gw.services.db.payment.findUniqueOrThrow({ where: { id } })).status;

  test("capture part of an authorization: the captured amount is credited; capturing again is a no-op", async () => {
    const { paymentId } = await pay(gw, 40010, 4000);
    await waitFor(async () => (await status(paymentId)) === "authorized");
    expect((await needsAttention(gw.services)).find((i) => i.paymentId === paymentId)?.kind).toBe("authorization_waiting");
    const captured = await adminCapture(gw.services, WHO, { paymentId, amount: 3000 });
    expect(captured).toMatchObject({ status: "succeeded", amountReceived: 3000 });
    expect((await adminCapture(gw.services, WHO, { paymentId, amount: 3000 })).status).toBe("succeeded");
    await waitForCredit(gw, paymentId, "applied");
    expect(gw.navixy.balanceCents(40010)).toBe(10000 + 3000);
    const rows = await gw.services.db.auditLog.findMany({ where: { target: paymentId, action: "payment.capture" } });
    expect(JSON.parse(rows[0]!.before!)).toMatchObject({ status: "authorized", amountCapturable: 4000 });
    expect(JSON.parse(rows[0]!.after!)).toMatchObject({ status: "succeeded", amountReceived: 3000, requested: 3000 });
  });

  test("release an authorization: canceled, nothing credited; capture after release is refused", async () => {
    const { paymentId } = await pay(gw, 40011, 2000);
    await waitFor(async () => (await status(paymentId)) === "authorized");
    expect((await adminRelease(gw.services, WHO, { paymentId, comment: "payer asked" })).status).toBe("canceled");
    expect((await adminRelease(gw.services, WHO, { paymentId })).status).toBe("canceled");
    await expect(adminCapture(gw.services, WHO, { paymentId })).rejects.toBeInstanceOf(AdminActionError);
    expect(await creditOf(gw, paymentId)).toBeNull();
    const rows = await gw.services.db.auditLog.findMany({ where: { target: paymentId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["payment.cancel", "payment.cancel"]);
    expect(rows[0]!.comment).toBe("payer asked");
  });
});
