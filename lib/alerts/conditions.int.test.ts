// What the alerts see in the ledger, on both databases, for two dealers at once: credits waiting too long, payments Stripe
// moved on whose webhook never came (and not when the dealer's endpoint is heard from), a refund that failed at Stripe,
// an authorization about to expire, a refused Navixy permission, a backed-off dealer.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { newPaymentId } from "../ids";
import { REFUND_FAILED_NOTE } from "../payments/refunds";
import { readConditions } from "./conditions";
import { KINDS } from "./kinds";

const skip = databaseUnavailable();
const MIN = 60_000;

describe.skipIf(skip)("alert conditions", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  });
  afterAll(async () => {
    await gw?.close();
  });

  test("each condition is found for its own dealer, with one grouped query per kind", async () => {
    const db = gw.services.rootDb;
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    let n = 0;
    const payment = async (dealerId: string, data: Record<string, unknown>) => {
      const id = newPaymentId(now.getTime() - 3_600_000);
      await db.payment.create({ data: { id, dealerId, navixyUserId: 10001, amount: 1000, currency: "eur", status: "succeeded", amountReceived: 1000, ...data } });
      return id;
    };
    const movement = async (dealerId: string, paymentId: string, data: Record<string, unknown>) => {
      n++;
      await db.balanceMovement.create({
        data: { id: `mv_cond_${n}`, dealerId, paymentId, kind: "credit", navixyUserId: 10001, amount: 1000, currency: "eur", navixyAmount: "10.00", reference: `pi_cond_${n}`, text: `Top-up ref pi_cond_${n}`, idempotencyKey: `credit:pi_cond_${n}`, ...data },
      });
    };
    // Dealer "default": a credit owed 20 minutes (waiting), one owed 2 minutes (not yet), a refund failed at Stripe.
    await movement("default", await payment("default", {}), { state: "unknown", createdAt: ago(20 * MIN) });
    await movement("default", await payment("default", {}), { state: "pending", createdAt: ago(2 * MIN) });
    await movement("default", await payment("default", { status: "refunded" }), { kind: "debit", state: "applied", needsAttention: true, lastError: `${REFUND_FAILED_NOTE}: card closed`, idempotencyKey: "debit:re_cond" });
    // Dealer "dlr_other": a payment Stripe moved on 30 minutes ago with no webhook at all, an authorization 6.5 days old.
    await payment("dlr_other", { stripePaymentIntentId: "pi_cond_nohook", createdAt: ago(30 * MIN) });
    await payment("dlr_other", { status: "authorized", stripePaymentIntentId: "pi_cond_auth", authorizedAt: ago(6.5 * 86_400_000), amountReceived: 0, amountCapturable: 1000 });
    await db.dealerSignal.create({ data: { dealerId: "dlr_other", kind: "navixy_permission:panel/user/transaction/change_balance", failingSince: ago(6 * MIN), lastFailureAt: ago(MIN), detail: "Navixy refused it (error 11: access denied)" } });
    await db.dealerBackoff.create({ data: { dealerId: "dlr_other", state: "open", reason: "Navixy: could not connect", failures: 5, workerId: "w" } });
    // Dealer "dlr_heard": the same kind of payment, but its endpoint delivered an event in the window: it works.
    await payment("dlr_heard", { stripePaymentIntentId: "pi_cond_heard", createdAt: ago(30 * MIN) });
    await db.stripeEvent.create({ data: { id: "evt_cond_heard", dealerId: "dlr_heard", type: "charge.refunded", livemode: false, payload: "{}", status: "processed", stripeCreatedAt: ago(5 * MIN), receivedAt: ago(5 * MIN) } });

    const found = await readConditions(db, gw.services.config.alerts, now);
    const brief = found.map((c) => `${c.dealerId} ${c.kind}${c.subject ? ` ${c.subject}` : ""} ${c.count}`).sort();
    expect(brief).toEqual([
      "default credits_waiting 1",
      "default refund_failed 1",
      "dlr_other authorization_expiring 1",
      "dlr_other dealer_backed_off 1",
      "dlr_other navixy_permission panel/user/transaction/change_balance 1",
      "dlr_other no_webhooks 1",
    ]);
    const waiting = found.find((c) => c.kind === "credits_waiting")!;
    expect(waiting.since!.getTime()).toBe(ago(20 * MIN).getTime());
    expect(found.find((c) => c.kind === "navixy_permission")!.since!.getTime()).toBe(ago(6 * MIN).getTime());
  });

  test("a reconciled day whose latest result has differences, per dealer and day; balanced again, ranges and old days are not", async () => {
    const db = gw.services.rootDb;
    const now = new Date();
    const dayAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
    let n = 0;
    const run = async (dealerId: string, label: string, status: string, differenceCount: number, startedMinutesAgo: number) => {
      n++;
      const startedAt = new Date(now.getTime() - startedMinutesAgo * MIN);
      await db.reconciliationRun.create({
        data: {
          id: `rec_cond_${n}`,
          dealerId,
          label,
          periodStart: new Date(`${label.slice(0, 10)}T00:00:00Z`),
          periodEnd: new Date(`${label.slice(-10)}T00:00:00Z`),
          status,
          phase: status === "running" ? "navixy" : "done",
          differenceCount,
          startedAt,
          finishedAt: status === "running" ? null : new Date(startedAt.getTime() + MIN),
        },
      });
    };
    // Dealer "default": yesterday 3 differences, being reconciled again now (its last result stands meanwhile); the
    // day before had differences, then was reconciled again balanced; a range on demand with differences.
    await run("default", dayAgo(1), "differences", 3, 60);
    await run("default", dayAgo(1), "running", 0, 1);
    await run("default", dayAgo(2), "differences", 2, 120);
    await run("default", dayAgo(2), "balanced", 0, 30);
    await run("default", `${dayAgo(9)}..${dayAgo(3)}`, "differences", 4, 10);
    // Dealer "dlr_rec": one difference yesterday; a day of two months ago with differences is history.
    await run("dlr_rec", dayAgo(1), "differences", 1, 50);
    await run("dlr_rec", dayAgo(60), "differences", 7, 50);
    // Dealer "dlr_balanced": balanced after an earlier run with differences of the same day.
    await run("dlr_balanced", dayAgo(1), "differences", 5, 90);
    await run("dlr_balanced", dayAgo(1), "balanced", 0, 20);

    const found = (await readConditions(db, gw.services.config.alerts, now)).filter((c) => c.kind === "reconciliation_difference");
    expect(found.map((c) => `${c.dealerId} ${c.subject} ${c.count}`).sort()).toEqual([`default ${dayAgo(1)} 3`, `dlr_rec ${dayAgo(1)} 1`]);
    expect(found.find((c) => c.dealerId === "default")!.since!.getTime()).toBe(now.getTime() - 59 * MIN);
    expect(KINDS.reconciliation_difference.title(3, dayAgo(1))).toBe(`${dayAgo(1)}: 3 differences between Stripe, the ledger and Navixy`);
  });
});
