// WCAG 2.2 AA on the dealer console, as on the payer's pages (accessibility.spec.ts): axe-core finds no violation
// of the A/AA rules (target sizes included) on every screen a dealer opens, with something on it to read: a
// credited and a declined payment, an item needing attention, an automatic top-up rule, the audit log of a refund,
// the dealer forms, and a form refused and shown again with what was typed. Real configuration only (the console
// is the same in both).
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { createPaymentByApi, expectCredit, payByApi, refuseNextCredit, signIn } from "./support/console";
import type { StackInfo } from "./support/env";

test.skip(({ stack }) => stack.sandbox, "the console is the same in both configurations: tested in the real one");

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact ?? "?"}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`,
  );
  expect(found, `axe on ${state} (${page.url()})`).toEqual([]);
}

function insertRule(stack: StackInfo, userId: number): void {
  const db = new Database(stack.databaseUrl.replace(/^file:/, ""), { timeout: 10_000 });
  try {
    const now = new Date().toISOString().replace("Z", "+00:00");
    db.prepare(
      `INSERT INTO "AutoTopUpRule" (id, navixyUserId, stripeCustomerId, stripePaymentMethodId, currency, amount, threshold, monthlyLimit, mandateText, state, nextCheckAt, createdAt, updatedAt)
       VALUES (?, ?, 'cus_a11y_e2e', 'pm_a11y_e2e', 'eur', 2000, 1000, 10000, 'mandate', 'active', '2099-01-01T00:00:00.000+00:00', ?, ?)`,
    ).run(`atr_a11y${userId}`, userId, now, now);
  } finally {
    db.close();
  }
}

test("every console screen passes axe: overview, payments, a payment, attention, audit, setup, dealers, automatic top-up", async ({ page, stack, navixy, userId }) => {
  test.setTimeout(120_000);
  const paid = await payByApi(stack, userId, 4000);
  const declined = await createPaymentByApi(stack, userId, 1200);
  await fetch(`${stack.stripeUrl}/v1/payment_intents/${declined.piId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: declined.clientSecret, payment_method: "pm_card_chargeDeclined", return_url: `${stack.appUrl}/payment/complete` }),
  });
  const refusedUser = await navixy.createUser();
  await refuseNextCredit(navixy, refusedUser);
  const refused = await payByApi(stack, refusedUser, 1000);
  insertRule(stack, userId);

  await signIn(page);
  await expectCredit(page, refused.paymentId, /needs attention/);
  await expectCredit(page, paid.paymentId, /credited/);

  // A refund refused and shown again, then one made: the form's error state, and an audit entry with money.
  const form = page.getByTestId("refund-form");
  await form.getByLabel(/Amount in EUR/).fill("1,000");
  await form.getByLabel(/Refund the payer through Stripe/).check();
  await form.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByTestId("flash-error")).toBeVisible();
  await expectNoAxeViolations(page, "a payment, its refund refused and shown again");
  await form.getByLabel(/Amount in EUR/).fill("10,5");
  await form.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByTestId("flash-notice")).toBeVisible();
  await expect(page.getByTestId("timeline")).toContainText("payment_intent.succeeded");
  await expectNoAxeViolations(page, "a payment with its timeline and a notice");

  for (const [path, ready] of [
    ["/admin", "Overview"],
    [`/admin/payments?user=${userId}`, "Payments"],
    ["/admin/attention", "Needs attention"],
    [`/admin/audit?target=${paid.paymentId}`, "Audit log"],
    ["/admin/setup", "Setup"],
    ["/admin/dealers", "Dealers"],
    [`/admin/autotopup?user=${userId}`, "Automatic top-up"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: ready })).toBeVisible();
    await expectNoAxeViolations(page, ready);
  }

  // The disclosures open: the chart's numbers, an audit entry's stored values, a rule's turn-off form, the dealer's more settings.
  await page.goto(`/admin/audit?target=${paid.paymentId}`);
  await page.getByText("Stored values").first().click();
  await expectNoAxeViolations(page, "the audit log with stored values open");
  await page.goto(`/admin/autotopup?user=${userId}`);
  await page.getByText("Turn off…").click();
  await expectNoAxeViolations(page, "a rule's turn-off form");
  await page.goto("/admin/dealers");
  const add = page.getByTestId("add-dealer-form");
  await add.getByLabel(/^Slug/).fill("a11y-dealer");
  await add.getByLabel("Name", { exact: true }).fill("A11y GPS");
  await add.getByLabel("STRIPE_SECRET_KEY").fill("sk_test_a11y");
  await add.getByLabel("NAVIXY_API_URL").fill("not a url");
  await add.getByRole("button", { name: "Add the dealer" }).click();
  await expect(page.getByTestId("withheld-note")).toBeVisible();
  await expectNoAxeViolations(page, "the dealer form refused and shown again");
  await page.goto(`/admin/payments?q=${encodeURIComponent("zz")}`);
  await expectNoAxeViolations(page, "a search without results");
});
