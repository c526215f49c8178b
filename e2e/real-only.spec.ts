// The real configuration (no SANDBOX): Stripe.js comes from js.stripe.com (here a routed test double),
// nothing of the sandbox mode is served or referenced.
import { test, expect, snap } from "./support/fixtures";

test.describe("Stripe.js cannot be loaded", () => {
  test.use({ stripeJs: "abort" });

  test("the payer sees that the form could not be loaded", async ({ page, userId }, testInfo) => {
    const stripeRequest = page.waitForRequest((r) => r.url().startsWith("https://js.stripe.com/"));
    await page.goto(`/?id=${userId}`);
    await stripeRequest; // the page's own loader asked for it
    const error = page.getByTestId("stripe-load-error");
    await expect(error).toBeVisible();
    await expect(error).toContainText("The payment form could not be loaded.");
    await expect(error.getByRole("button", { name: "Reload the page" })).toBeVisible();
    await expect(page.getByTestId("pay-button")).toBeDisabled();
    await expect(page.getByTestId("payment-skeleton")).toHaveCount(0);
    await snap(page, testInfo, "checkout-stripe-load-error");
  });
});

test("no sandbox: no banner, no /sandbox pages, no sandbox script", async ({ page, request, userId }) => {
  for (const path of ["/sandbox", "/sandbox/stripe.js", "/sandbox/stripe-api/v1/payment_intents"]) {
    const response = await request.get(path);
    expect(response.status(), `${path} must not exist without SANDBOX=1`).toBe(404);
  }
  const pages = [`/?id=${userId}`, "/payment/complete?payment_intent=pi_nope", "/no-such-page", "/?id=abc"];
  for (const path of pages) {
    const html = await (await request.get(path)).text();
    expect(html, `${path} references sandbox code`).not.toMatch(/sandbox/i);
  }
  await page.goto(`/?id=${userId}`);
  await expect(page.getByTestId("checkout-form")).toBeVisible();
  await expect(page.getByTestId("sandbox-banner")).toHaveCount(0);
  const scripts = await page.locator("script[src]").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).src));
  expect(scripts.filter((s) => /sandbox/i.test(s))).toEqual([]);
  expect(scripts).toContain("https://js.stripe.com/endive/stripe.js");
});
