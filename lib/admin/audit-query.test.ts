import { describe, expect, test } from "vitest";
import { auditChanges, auditFiltersToParams, parseAuditCursor, parseAuditFilters } from "./audit-query";

describe("auditChanges", () => {
  test("lists only the fields whose value changed, old and new, in order of appearance", () => {
    const before = JSON.stringify({ status: "authorized", amount: 2500, amountReceived: 0 });
    const after = JSON.stringify({ status: "succeeded", amount: 2500, amountReceived: 2000, requested: 2000 });
    expect(auditChanges(before, after)).toEqual([
      { field: "status", before: "authorized", after: "succeeded" },
      { field: "amountReceived", before: "0", after: "2000" },
      { field: "requested", before: null, after: "2000" },
    ]);
  });

  test("an entry with only `after` shows what it recorded; nested values as JSON", () => {
    expect(auditChanges(null, JSON.stringify({ filters: { user: "7" } }))).toEqual([{ field: "filters", before: null, after: '{"user":"7"}' }]);
  });

  test("nothing changed, nothing recorded, or text that is not JSON", () => {
    expect(auditChanges('{"state":"applied"}', '{"state":"applied"}')).toEqual([]);
    expect(auditChanges(null, null)).toEqual([]);
    expect(auditChanges(null, "not json")).toEqual([{ field: "value", before: null, after: "not json" }]);
  });
});

describe("filters and cursor", () => {
  test("blank values are dropped, the rest trimmed and carried back into links", () => {
    const filters = parseAuditFilters({ action: " payment. ", actor: "", target: ["pay_x", "pay_y"] });
    expect(filters).toEqual({ action: "payment.", target: "pay_x" });
    expect(auditFiltersToParams(filters).toString()).toBe("action=payment.&target=pay_x");
  });

  test("a cursor is a row id; anything else starts from the newest", () => {
    expect(parseAuditCursor("123")).toBe(123);
    for (const bad of ["", "-1", "1e3", "abc", "1".repeat(20), null, undefined]) expect(parseAuditCursor(bad)).toBeNull();
  });
});
