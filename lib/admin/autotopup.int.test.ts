// The console pauses, resumes and turns off automatic top-up rules, and audits each change.
import { afterAll, beforeAll, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { AdminActionError } from "./actions";
import { autoTopUpRulesView, changeRule } from "./autotopup";

let gw: Gateway;
const skip = databaseUnavailable();
const who = { actor: "admin:test", ip: "127.0.0.1" };

beforeAll(async () => {
  if (skip) return;
  gw = await startGateway({ worker: false });
  await gw.services.db.autoTopUpRule.create({
    data: {
      id: "atr_console_test",
      navixyUserId: 10001,
      stripeCustomerId: "cus_test",
      currency: "eur",
      amount: 2000,
      threshold: 500,
      monthlyLimit: 10000,
      mandateText: "Top up automatically",
      state: "active",
      nextCheckAt: new Date(),
    },
  });
});
afterAll(async () => gw?.close());

test.skipIf(skip)("pause, resume and turn off, each in the rule's timeline and the audit log", async () => {
  const paused = await changeRule(gw.services, who, "rule.pause", "atr_console_test");
  expect(paused.after.state).toBe("paused");
  expect((await changeRule(gw.services, who, "rule.resume", "atr_console_test")).after.state).toBe("active");
  expect((await changeRule(gw.services, who, "rule.disable", "atr_console_test")).after.state).toBe("disabled_by_dealer");
  await expect(changeRule(gw.services, who, "rule.pause", "atr_console_test")).rejects.toBeInstanceOf(AdminActionError);
  await expect(changeRule(gw.services, who, "rule.pause", "atr_missing")).rejects.toThrow(/No such automatic top-up rule/);

  const audit = await gw.services.db.auditLog.findMany({ where: { target: "atr_console_test" }, orderBy: { id: "asc" } });
  expect(audit.map((a) => a.action)).toEqual(["rule.pause", "rule.resume", "rule.disable"]);
  expect(JSON.parse(audit[0]!.before!)).toMatchObject({ state: "active" });
  expect(JSON.parse(audit[0]!.after!)).toMatchObject({ state: "paused" });
  const events = await gw.services.db.autoTopUpEvent.findMany({ where: { ruleId: "atr_console_test" }, orderBy: { id: "asc" } });
  expect(events.map((e) => e.kind)).toEqual(["paused", "resumed", "disabled"]);

  // The console's page: the rule with its latest decisions, newest first.
  const view = await autoTopUpRulesView(gw.services, { navixyUserId: 10001 });
  expect(view.nextCursor).toBeNull();
  expect(view.rules.map((r) => [r.id, r.state, r.decisions.map((e) => e.kind)])).toEqual([["atr_console_test", "disabled_by_dealer", ["disabled", "resumed", "paused"]]]);
  expect((await autoTopUpRulesView(gw.services, { navixyUserId: 10002 })).rules).toEqual([]);
});
