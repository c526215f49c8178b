// The audit log screen's query on a real database: newest first, every row exactly once across pages even
// while new entries arrive, and the action / target / actor filters.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { audit } from "./audit";
import { listAuditLog, type AuditFilters } from "./audit-query";

const skip = databaseUnavailable();

describe.skipIf(skip)("audit log query", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
    const actions = ["login", "payment.refund", "movement.retry", "payment.capture", "payments.export"];
    for (let i = 0; i < 130; i++) {
      await audit(gw.services.db, {
        actor: i % 2 ? "admin:aaaa1111" : "cli",
        action: actions[i % actions.length]!,
        target: `pay_target${i % 10}`,
        before: { n: i },
        after: { n: i + 1 },
      });
    }
  });
  afterAll(async () => gw?.close());

  async function all(filters: AuditFilters, insertWhilePaging = false): Promise<number[]> {
    const ids: number[] = [];
    let cursor: number | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page = await listAuditLog(gw.services, filters, { cursor, limit: 50 });
      ids.push(...page.rows.map((r) => r.id));
      if (insertWhilePaging) await audit(gw.services.db, { actor: "cli", action: "login", target: "pay_target0" });
      if (!page.next) return ids;
      cursor = Number(page.next);
    }
    throw new Error("did not reach the end");
  }

  test("pages walk every entry once, newest first, unaffected by entries added meanwhile", async () => {
    const expected = (await gw.services.db.auditLog.findMany({ select: { id: true }, orderBy: { id: "desc" } })).map((r) => r.id);
    const seen = await all({}, true);
    expect(seen).toEqual(expected);
    const first = await listAuditLog(gw.services, {}, { cursor: null, limit: 1 });
    expect(first.rows[0]!.changes).toEqual([]); // the newest: a login with no before/after
  });

  test("filters: an action family, an exact action, a target, an actor", async () => {
    const db = gw.services.db.auditLog;
    const family = await all({ action: "payment." });
    expect(family.length).toBe(await db.count({ where: { action: { in: ["payment.refund", "payment.capture"] } } }));
    expect(family.length).toBe(52);
    const exact = await listAuditLog(gw.services, { action: "payments.export" }, { cursor: null, limit: 100 });
    expect(exact.rows.length).toBe(26);
    expect(exact.rows.every((r) => r.action === "payments.export")).toBe(true);
    const target = await listAuditLog(gw.services, { target: "pay_target3", actor: "admin:aaaa1111" }, { cursor: null, limit: 100 });
    expect(target.rows.length).toBe(13);
    expect(target.rows.every((r) => r.target === "pay_target3" && r.actor === "admin:aaaa1111")).toBe(true);
    expect(target.rows[0]!.changes).toEqual([{ field: "n", before: "123", after: "124" }]);
  });
});
