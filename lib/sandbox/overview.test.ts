import { expect, test } from "vitest";
import { formatDecimal, toOverview } from "./overview";

test("balances are formatted in the dealer currency", () => {
  expect(formatDecimal("12.50", "EUR")).toBe("€12.50");
  expect(formatDecimal("-3.1", "EUR")).toBe("-€3.10");
  expect(formatDecimal("500", "JPY")).toBe("¥500");
  expect(formatDecimal("n/a", "EUR")).toBe("n/a EUR");
});

test("the emulator's state becomes users with names and newest-first transactions", () => {
  const overview = toOverview({
    currency: "eur",
    users: [
      { id: 10003, legalName: "Acme Logistics", login: "fleet@acme.example", balance: "240.00", transactions: [] },
      {
        id: 10001,
        firstName: "Jane",
        lastName: "Smith",
        login: "jane.smith@example.com",
        balance: "37.50",
        transactions: [
          { id: 1, amount: "25.00", text: "Stripe payment pi_1", timestamp: "2026-11-05 10:00:00" },
          { id: 7, amount: "-5.00", text: "Refund re_1", timestamp: "2026-11-05 11:00:00" },
        ],
      },
      { id: 10004, firstName: "Sam", lastName: "Driver", subUser: true, balance: "0.00" },
    ],
  });
  expect(overview.ok).toBe(true);
  if (!overview.ok) return;
  expect(overview.currency).toBe("EUR");
  expect(overview.users.map((u) => [u.id, u.name, u.balanceText, u.subUser])).toEqual([
    [10001, "Jane Smith", "€37.50", false],
    [10003, "Acme Logistics", "€240.00", false],
    [10004, "Sam Driver", "€0.00", true],
  ]);
  expect(overview.users[0]?.transactions.map((t) => [t.id, t.amountText, t.text])).toEqual([
    [7, "-€5.00", "Refund re_1"],
    [1, "€25.00", "Stripe payment pi_1"],
  ]);
});

test("an unexpected document is reported, not thrown", () => {
  expect(toOverview(null)).toMatchObject({ ok: false });
  expect(toOverview({ users: "nope" })).toMatchObject({ ok: false });
});
