// The README's pictures of the payer's page: light, dark and right-to-left (Arabic), with the real configuration's
// dealer look, and of the dealer console. Every run checks that each page is ready and keeps the pictures in
// test-results; `npm run screenshots` (E2E_SCREENSHOTS=1) writes them to docs/screenshots/ as well.
import path from "node:path";
import { test, expect } from "./support/fixtures";
import { ROOT } from "./support/env";
import { createPaymentByApi, expectCredit, payByApi, signIn } from "./support/console";

const DOCS = path.join(ROOT, "docs", "screenshots");
const WRITE_DOCS = process.env.E2E_SCREENSHOTS === "1";

const SHOTS = [
  { name: "checkout-light", lang: "en", colorScheme: "light" },
  { name: "checkout-dark", lang: "en", colorScheme: "dark" },
  { name: "checkout-rtl", lang: "ar", colorScheme: "light" },
] as const;

test.use({ viewport: { width: 440, height: 900 }, deviceScaleFactor: 1 });

for (const shot of SHOTS) {
  test(`screenshot: ${shot.name}`, async ({ page, stack }, testInfo) => {
    test.skip(stack.sandbox, "the pictures show the real configuration (a dealer with its own look)");
    await page.emulateMedia({ colorScheme: shot.colorScheme, reducedMotion: "reduce" });
    // A demo account that every run has (Jane Smith), so that the pictures do not change from run to run.
    await page.goto(`/?id=10001&lang=${shot.lang}`);
    await expect(page.locator("html")).toHaveAttribute("dir", shot.lang === "ar" ? "rtl" : "ltr");
    await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId("pay-button")).toBeEnabled();
    await expect.poll(() => page.getByTestId("dealer-logo").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.getByTestId("amount-presets").getByRole("button").nth(1).click();
    await page.mouse.move(0, 0);
    const file = testInfo.outputPath(`${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: "disabled", caret: "hide" });
    if (WRITE_DOCS) await page.screenshot({ path: path.join(DOCS, `${shot.name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
  });
}

// The dealer console: the overview, the payments list and a payment's timeline, with payments of the demo accounts
// (a card payment, a partly refunded one, a decline), as a dealer sees them on a desktop screen.
test.describe("the dealer console", () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test("screenshot: console overview, payments and a payment's timeline", async ({ page, stack }, testInfo) => {
    test.skip(stack.sandbox, "the pictures show the real configuration");
    test.setTimeout(120_000);
    const jane = await payByApi(stack, 10001, 2500);
    const acme = await payByApi(stack, 10003, 10000);
    const { piId: declinedPi, clientSecret } = await createPaymentByApi(stack, 10002, 4000);
    await fetch(`${stack.stripeUrl}/v1/payment_intents/${declinedPi}/confirm`, {
      method: "POST",
      headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: clientSecret, payment_method: "pm_card_chargeDeclinedInsufficientFunds", return_url: `${stack.appUrl}/payment/complete` }),
    });
    await signIn(page);
    await expectCredit(page, jane.paymentId, /credited/);
    await expectCredit(page, acme.paymentId, /credited/);
    const refund = page.getByTestId("refund-form");
    await refund.getByLabel(/Amount in EUR/).fill("30,50");
    await refund.getByLabel(/Refund the payer through Stripe/).check();
    await refund.getByRole("button", { name: "Refund" }).click();
    await expect(page.getByTestId("flash-notice")).toBeVisible();
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("timeline")).toContainText("charge.refunded", { timeout: 1000 });
      await expect(page.getByTestId("movements-table")).toContainText("debit", { timeout: 1000 });
      await expect(page.getByTestId("movements-table").locator("tbody tr").last()).toContainText("applied", { timeout: 1000 });
    }).toPass({ timeout: 30_000 });

    const shoot = async (name: string) => {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
      if (WRITE_DOCS) await page.screenshot({ path: path.join(DOCS, `${name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
    };
    await shoot("console-payment");

    await page.goto("/admin");
    await expect(page.getByTestId("volume-chart").getByTestId("y-tick").nth(1)).toBeVisible();
    await shoot("console-overview");

    await page.goto("/admin/payments");
    for (const id of [jane.paymentId, acme.paymentId]) await expect(page.locator(`tr[data-payment-id="${id}"]`)).toBeVisible();
    await expect(page.getByTestId("decline").first()).toBeVisible();
    await shoot("console-payments");
  });
});
