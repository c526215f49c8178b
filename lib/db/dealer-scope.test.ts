import { describe, expect, test } from "vitest";
import { CrossDealerWriteError, scopeArgs } from "./dealer-scope";

describe("a dealer's view of the database: every query names its dealer", () => {
  test("reads, counts, updates and deletes get the dealer in their WHERE", () => {
    for (const op of ["findUnique", "findFirst", "findMany", "count", "aggregate", "groupBy", "delete", "deleteMany"]) {
      expect(scopeArgs("Payment", op, { where: { id: "pay_1" } }, "dlr_b").where, op).toEqual({ id: "pay_1", dealerId: "dlr_b" });
    }
    expect(scopeArgs("Payment", "findMany", undefined, "dlr_b")).toEqual({ where: { dealerId: "dlr_b" } });
    expect(scopeArgs("BalanceMovement", "updateMany", { where: { state: "pending" }, data: { state: "sending" } }, "dlr_b")).toEqual({
      where: { state: "pending", dealerId: "dlr_b" },
      data: { state: "sending" },
    });
  });

  test("creates are written for the dealer; one naming another dealer is refused", () => {
    expect(scopeArgs("AuditLog", "create", { data: { action: "x" } }, "dlr_b").data).toEqual({ action: "x", dealerId: "dlr_b" });
    expect(scopeArgs("AuditLog", "createMany", { data: [{ action: "x" }, { action: "y" }] }, "dlr_b").data).toEqual([
      { action: "x", dealerId: "dlr_b" },
      { action: "y", dealerId: "dlr_b" },
    ]);
    expect(() => scopeArgs("Payment", "create", { data: { id: "p", dealerId: "default" } }, "dlr_b")).toThrow(CrossDealerWriteError);
    expect(() => scopeArgs("Payment", "findMany", { where: { dealerId: "default" } }, "dlr_b")).toThrow(CrossDealerWriteError);
  });

  test("an upsert is scoped on both sides; no update may move a row to another dealer", () => {
    const up = scopeArgs("StripeCustomer", "upsert", { where: { stripeCustomerId: "cus_1" }, create: { navixyUserId: 1 }, update: {} }, "dlr_b");
    expect(up.where).toEqual({ stripeCustomerId: "cus_1", dealerId: "dlr_b" });
    expect(up.create).toEqual({ navixyUserId: 1, dealerId: "dlr_b" });
    expect(() => scopeArgs("Payment", "update", { where: { id: "p" }, data: { dealerId: "default" } }, "dlr_b")).toThrow(CrossDealerWriteError);
    expect(scopeArgs("Payment", "update", { where: { id: "p" }, data: { dealerId: "dlr_b", status: "x" } }, "dlr_b").data).toEqual({ dealerId: "dlr_b", status: "x" });
  });
});
