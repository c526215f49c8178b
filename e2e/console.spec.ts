// The console a dealer opens every day, in the browser: payments name the payer and the card and are found by
// them; forms forgive a typo and keep what was typed; a notice is shown once; the audit log speaks money and
// people; one form style, destructive actions that look it, a chart with amounts on its axis. Real configuration,
// but for the sandbox's link to its overview.
import fs from "node:fs";
import Database from "better-sqlite3";
import type { Locator } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { createPaymentByApi, expectCredit, expectStatus, openPayment, payByApi, signIn } from "./support/console";
import type { StackInfo } from "./support/env";

/** A payment confirmed with any test PaymentMethod of the emulator (payByApi pays with pm_card_visa). */
async function payWith(stack: StackInfo, userId: number, amount: number, paymentMethod: string): Promise<{ paymentId: string; piId: string }> {
  const { paymentId, piId, clientSecret } = await createPaymentByApi(stack, userId, amount);
  await fetch(`${stack.stripeUrl}/v1/payment_intents/${piId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: clientSecret, payment_method: paymentMethod, return_url: `${stack.appUrl}/payment/complete` }),
  });
  return { paymentId, piId };
}

async function search(page: import("@playwright/test").Page, text: string): Promise<void> {
  await page.goto("/admin/payments");
  await page.getByLabel("Search").fill(text);
  await page.getByRole("button", { name: "Apply" }).click();
}

const box = async (l: Locator) => (await l.boundingBox())!;

test.describe("real configuration", () => {
  test.skip(({ stack }) => stack.sandbox, "the console is the same in both configurations: tested in the real one");

  test("payments name the payer, the card and the decline; search finds them by name, login, last four; the CSV has them", async ({ page, stack, navixy }) => {
    // A surname of its own, so the search finds this test's payments only.
    const lastName = `Kowalska${Date.now() % 1_000_000}`;
    const userId = await navixy.createUser({ firstName: "Zofia", lastName });
    const paid = await payByApi(stack, userId, 2500);
    const declined = await payWith(stack, userId, 1300, "pm_card_chargeDeclinedInsufficientFunds");
    await signIn(page);
    await expectCredit(page, paid.paymentId, /credited/);
    await expectStatus(page, declined.paymentId, /failed/);
    await expect(page.getByTestId("payer-name")).toHaveText(`Zofia ${lastName}`);
    await expect(page.getByTestId("payer-login")).toHaveText(`e2e-${userId}@example.com`);
    await expect(page.getByTestId("payment-method")).toHaveText("Visa •••• 9995");
    await expect(page.getByTestId("decline")).toContainText("insufficient funds");

    await search(page, lastName.toLowerCase());
    const row = page.locator(`tr[data-payment-id="${paid.paymentId}"]`);
    await expect(row.getByTestId("payer")).toContainText(`Zofia ${lastName}`);
    await expect(row.getByTestId("payer")).toContainText(`e2e-${userId}@example.com`);
    await expect(row.getByTestId("method")).toHaveText("Visa •••• 4242");
    const failedRow = page.locator(`tr[data-payment-id="${declined.paymentId}"]`);
    await expect(failedRow.getByTestId("decline")).toHaveText("insufficient funds");
    await expect(page.locator("tbody tr")).toHaveCount(2);

    await search(page, `e2e-${userId}@`);
    await expect(page.locator("tbody tr[data-payment-id]")).toHaveCount(2);
    await search(page, "9995");
    await expect(failedRow).toBeVisible();
    await expect(row).toHaveCount(0);

    // The CSV of this search carries the same columns.
    await search(page, lastName);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const lines = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toMatch(/,payer_name,payer_login,payment_method,card_brand,card_last4,wallet$/);
    expect(lines.find((l) => l.startsWith(`${paid.paymentId},`))).toMatch(new RegExp(`,Zofia ${lastName},e2e-${userId}@example\\.com,card,visa,4242,$`));
  });

  test('a refund of "30,5" refunds 30.50; its notice is shown once, and not again on reload', async ({ page, stack, navixy, userId }) => {
    const { paymentId } = await payByApi(stack, userId, 5000);
    await signIn(page);
    await expectCredit(page, paymentId, /credited/);
    const form = page.getByTestId("refund-form");
    await form.getByLabel(/Amount in EUR/).fill("30,5");
    await form.getByLabel(/Refund the payer through Stripe/).check();
    await form.getByRole("button", { name: "Refund" }).click();
    await expect(page.getByTestId("flash-notice")).toHaveText("Refund sent to Stripe. €30.50 refunded in total; the Navixy balance is debited next.");
    await expect(page).toHaveURL(new RegExp(`/admin/payments/${paymentId}$`));
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(paymentId);
    await expect(page.getByTestId("flash-notice")).toHaveCount(0);
    await expect.poll(async () => (await navixy.user(userId)).balance, { timeout: 30_000 }).toBe("19.50");
  });

  test("a refused refund comes back with what was typed, and says why", async ({ page, stack, userId }) => {
    const { paymentId } = await payByApi(stack, userId, 90000);
    await signIn(page);
    await expectCredit(page, paymentId, /credited/);
    const form = page.getByTestId("refund-form");
    await form.getByLabel(/Amount in EUR/).fill("1,234");
    await form.getByLabel("Comment (optional)").fill("payer asked by phone");
    await form.getByLabel(/Refund the payer through Stripe/).check();
    await form.getByRole("button", { name: "Refund" }).click();
    await expect(page.getByTestId("flash-error")).toHaveText('"1,234" could mean 1234 or 1.234 EUR: write 1234 without a separator, or the decimals after a point.');
    await expect(form.getByLabel(/Amount in EUR/)).toHaveValue("1,234");
    await expect(form.getByLabel("Comment (optional)")).toHaveValue("payer asked by phone");
    await expect(form.getByLabel(/Refund the payer through Stripe/)).toBeChecked();
    await expect(page.getByTestId("amount-refunded")).toHaveText("€0.00");
  });

  test("a refused dealer form keeps what was typed but the secrets, and names those", async ({ page }) => {
    await signIn(page);
    await page.goto("/admin/dealers");
    const form = page.getByTestId("add-dealer-form");
    await form.getByLabel(/^Slug/).fill("typo-dealer");
    await form.getByLabel("Name", { exact: true }).fill("Typo GPS");
    await form.getByLabel("STRIPE_SECRET_KEY").fill("sk_test_typed_in_the_form");
    await form.getByLabel("NAVIXY_API_URL").fill("not a url");
    await form.getByLabel("NAVIXY_PANEL_LOGIN").fill("typo-panel");
    await form.getByRole("button", { name: "Add the dealer" }).click();
    await expect(page.getByTestId("flash-error")).toBeVisible();
    await expect(form.getByLabel(/^Slug/)).toHaveValue("typo-dealer");
    await expect(form.getByLabel("Name", { exact: true })).toHaveValue("Typo GPS");
    await expect(form.getByLabel("NAVIXY_API_URL")).toHaveValue("not a url");
    await expect(form.getByLabel("NAVIXY_PANEL_LOGIN")).toHaveValue("typo-panel");
    await expect(form.getByLabel("STRIPE_SECRET_KEY")).toHaveValue("");
    await expect(form.getByTestId("withheld-note")).toHaveText(/except STRIPE_SECRET_KEY: secrets are never stored, so type it again\./);
    expect(await page.content()).not.toContain("sk_test_typed_in_the_form");
  });

  test("the audit log speaks money and people, the stored values a click away", async ({ page, stack, userId }) => {
    const { paymentId } = await payByApi(stack, userId, 5000);
    await signIn(page);
    await expectCredit(page, paymentId, /credited/);
    const form = page.getByTestId("refund-form");
    await form.getByLabel(/Amount in EUR/).fill("30.50");
    await form.getByLabel(/Refund the payer through Stripe/).check();
    await form.getByRole("button", { name: "Refund" }).click();
    await expect(page.getByTestId("flash-notice")).toBeVisible();
    await page.goto(`/admin/audit?target=${paymentId}`);
    const entry = page.locator('tr[data-action="payment.refund"]');
    await expect(entry.getByTestId("audit-who")).toHaveText(/^Operator(from this server)?$/);
    await expect(entry.getByTestId("audit-what")).toHaveText("Refund");
    await expect(entry.getByTestId("audit-changes")).toContainText("Refunded: €0.00 → €30.50");
    await expect(entry.getByTestId("audit-changes")).toContainText("Status: succeeded → partially refunded");
    const raw = entry.getByTestId("audit-raw");
    await expect(raw.getByText(/^operator:[\w-]{8}$/)).toBeHidden();
    await raw.getByText("Stored values").click();
    await expect(raw.getByText(/^operator:[\w-]{8}$/)).toBeVisible();
    await expect(raw).toContainText("amountRefunded0 → 3050");
    // The filter takes the log's own words.
    await page.goto(`/admin/audit?actor=operator&target=${paymentId}`);
    await expect(page.locator('tr[data-action="payment.refund"]')).toHaveCount(1);
  });

  test("one form style; Find keeps its distance and what was typed; Turn off looks destructive; the chart has amounts on its axis", async ({ page, stack, userId }) => {
    await payByApi(stack, userId, 2500);
    await signIn(page);
    const chart = page.getByTestId("volume-chart");
    await expect(chart.getByTestId("y-tick").first()).toBeVisible();
    const ticks = await chart.getByTestId("y-tick").allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toBe("€0");
    expect(ticks.every((t) => /^€[\d,.]+$/.test(t))).toBe(true);

    const fieldStyle = (l: Locator) =>
      l.evaluate((el) => {
        const s = getComputedStyle(el);
        return { paddingLeft: parseFloat(s.paddingLeft), height: el.getBoundingClientRect().height, border: s.borderTopWidth };
      });
    await page.goto("/admin/dealers");
    const form = page.getByTestId("add-dealer-form");
    const reference = await fieldStyle(form.getByLabel("NAVIXY_API_URL"));
    expect(reference.paddingLeft).toBeGreaterThanOrEqual(8);
    expect(reference.height).toBeGreaterThanOrEqual(44);
    for (const field of [form.getByLabel(/^Slug/), form.getByLabel("Name", { exact: true })]) expect(await fieldStyle(field)).toEqual(reference);

    await page.goto("/admin/autotopup?user=12a");
    const user = page.getByRole("search", { name: "Find a rule" }).getByLabel("Navixy user id");
    expect(await fieldStyle(user)).toEqual(reference);
    await expect(user).toHaveValue("12a");
    await expect(page.getByTestId("filter-problem")).toHaveText('"12a" is not a Navixy user id (digits only): showing every rule.');
    const find = page.getByRole("button", { name: "Find" });
    const [inputBox, findBox] = [await box(user), await box(find)];
    const apart = findBox.x >= inputBox.x + inputBox.width + 8 || findBox.y >= inputBox.y + inputBox.height + 8;
    expect(apart, `Find at ${JSON.stringify(findBox)}, its input at ${JSON.stringify(inputBox)}`).toBe(true);

    // An active rule: Pause is a plain button, Turn off is red and asks for a tick.
    insertRule(stack, userId);
    await page.goto(`/admin/autotopup?user=${userId}`);
    const danger = await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.style.color = "var(--danger)";
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    const pause = page.getByRole("button", { name: "Pause" });
    await expect(pause).toBeVisible();
    expect(await pause.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(danger);
    const turnOff = page.getByText("Turn off…");
    expect(await turnOff.evaluate((el) => getComputedStyle(el).color)).toBe(danger);
    await turnOff.click();
    const button = page.getByRole("button", { name: "Turn off", exact: true });
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(danger);
    await page.getByLabel(/Stop topping up user/).check();
    await button.click();
    await expect(page.getByTestId("flash-notice")).toHaveText(`Automatic top-up for Navixy user ${userId} is turned off.`);
  });
});

/** An active automatic top-up rule, written into the stack's database (enrolling goes through the checkout: autotopup.spec.ts). */
function insertRule(stack: StackInfo, userId: number): void {
  const db = new Database(stack.databaseUrl.replace(/^file:/, ""), { timeout: 10_000 });
  try {
    const now = new Date().toISOString().replace("Z", "+00:00");
    db.prepare(
      `INSERT INTO "AutoTopUpRule" (id, navixyUserId, stripeCustomerId, stripePaymentMethodId, currency, amount, threshold, monthlyLimit, mandateText, state, nextCheckAt, createdAt, updatedAt)
       VALUES (?, ?, 'cus_console_e2e', 'pm_console_e2e', 'eur', 2000, 1000, 10000, 'mandate', 'active', '2099-01-01T00:00:00.000+00:00', ?, ?)`,
    ).run(`atr_console${userId}`, userId, now, now);
  } finally {
    db.close();
  }
}

test("sandbox: a payment's link goes to the sandbox overview, not to a Stripe Dashboard page that does not exist", async ({ page, stack, userId }) => {
  test.skip(!stack.sandbox, "sandbox mode only");
  const { paymentId } = await payByApi(stack, userId, 1500);
  await signIn(page);
  await openPayment(page, paymentId);
  const link = page.getByTestId("stripe-link");
  await expect(link).toHaveAttribute("href", "/sandbox");
  await expect(link).toHaveText("Sandbox overview");
  await link.click();
  await expect(page).toHaveURL(/\/sandbox$/);
});
