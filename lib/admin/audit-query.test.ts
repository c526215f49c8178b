import { describe, expect, test } from "vitest";
import { actionText, actorText, actorWhere, addressText, auditChanges, auditFiltersToParams, parseAuditCursor, parseAuditFilters, readableChanges } from "./audit-query";

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

describe("the audit log as people read it", () => {
  test("money as money in the entry's currency, fields and values in words, raw values kept", () => {
    const before = JSON.stringify({ status: "succeeded", amount: 5000, amountReceived: 5000, amountRefunded: 0, currency: "eur" });
    const after = JSON.stringify({ status: "partially_refunded", amount: 5000, amountReceived: 5000, amountRefunded: 3050, currency: "eur", refundId: "re_1", refundAmount: 3050 });
    expect(readableChanges(before, after)).toEqual([
      { field: "status", label: "Status", before: "succeeded", after: "partially refunded", rawBefore: "succeeded", rawAfter: "partially_refunded" },
      { field: "amountRefunded", label: "Refunded", before: "€0.00", after: "€30.50", rawBefore: "0", rawAfter: "3050" },
      { field: "refundId", label: "Refund id", before: null, after: "re_1", rawBefore: null, rawAfter: "re_1" },
      { field: "refundAmount", label: "Refund amount", before: null, after: "€30.50", rawBefore: null, rawAfter: "3050" },
    ]);
    // An automatic top-up rule's terms; a zero-decimal currency; yes and no.
    const rule = readableChanges(JSON.stringify({ state: "active", amount: 2000, threshold: 500, currency: "jpy" }), JSON.stringify({ state: "paused", amount: 2500, threshold: 500, currency: "jpy", appliedInNavixy: true }));
    expect(rule.map((c) => [c.label, c.before, c.after])).toEqual([
      ["Status", "active", "paused"],
      ["Amount", "¥2,000", "¥2,500"],
      ["Applied in Navixy", null, "yes"],
    ]);
    // Without a currency an amount stays a number: nothing is guessed.
    expect(readableChanges(null, JSON.stringify({ amount: 100 }))[0]).toMatchObject({ before: null, after: "100" });
  });

  test("who: the operator, a dealer, the command line; where: this server for a local address", () => {
    expect(actorText("operator:_ExuajzP")).toBe("Operator");
    expect(actorText("admin:aaaa1111")).toBe("Operator");
    expect(actorText("dealer:acme:Xy12ab34")).toBe("Dealer acme");
    expect(actorText("cli")).toBe("Command line");
    expect(actorText("system")).toBe("The gateway");
    expect(actorText("anonymous")).toBe("Not signed in");
    expect(actorText("something-new")).toBe("something-new");
    expect(addressText("::1")).toBe("this server");
    expect(addressText("127.0.0.1")).toBe("this server");
    expect(addressText("::ffff:127.0.0.1")).toBe("this server");
    expect(addressText("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressText("2001:db8::1")).toBe("2001:db8::1");
    expect(addressText(null)).toBeNull();
    expect(actionText("payment.refund")).toBe("Refund");
    expect(actionText("stripe.webhook_endpoint.create")).toBe("Webhook endpoint created");
    expect(actionText("made.up")).toBe("made up");
  });

  test("the actor filter takes what the log shows: operator, dealer acme, command line", () => {
    expect(actorWhere("operator")).toEqual({ OR: [{ actor: { startsWith: "operator:" } }, { actor: { startsWith: "admin:" } }] });
    expect(actorWhere("Dealer acme")).toEqual({ actor: { startsWith: "dealer:acme:" } });
    expect(actorWhere("dealer:acme")).toEqual({ actor: { startsWith: "dealer:acme:" } });
    expect(actorWhere("command line")).toEqual({ actor: "cli" });
    expect(actorWhere("operator:_ExuajzP")).toEqual({ actor: "operator:_ExuajzP" });
  });
});
