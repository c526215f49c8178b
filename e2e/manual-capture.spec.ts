// Manual capture (the "manual" stack, PAYMENT_CAPTURE=manual): the payer's card is only authorized; the
// dealer captures all or part of it in the console, and only the captured amount reaches the Navixy
// balance; or releases it, and nothing is charged or credited.
import { test, expect } from "./support/fixtures";
import { CARDS, expectReturnPage, payOnCheckout } from "./support/checkout";
import { expectCredit, expectStatus, openPayment, payByApi, signIn } from "./support/console";

test("the payer authorizes, the dealer captures part of it, the balance gets what was captured", async ({ page, stack, navixy, stripeEmulator, userId }) => {
  await payOnCheckout(page, stack, userId, 2500, CARDS.success);
  await expectReturnPage(page, stack, "authorized");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Payment authorized");
  const returnUrl = page.url();
  expect(await navixy.balanceCents(userId)).toBe(0);

  await signIn(page);
  await page.goto(`/admin/payments?user=${userId}`);
  const row = page.locator("tr[data-payment-id]");
  await expect(row).toHaveCount(1);
  const paymentId = (await row.getAttribute("data-payment-id"))!;

  // It waits in the attention list with the way to settle it.
  await page.getByRole("link", { name: /Needs attention/ }).click();
  const item = page.locator(`li[data-payment-id="${paymentId}"]`);
  await expect(item).toHaveAttribute("data-kind", "authorization_waiting");
  await expect(item).toContainText("Capture it (all or part)");
  await item.getByLabel(/Capture amount \(EUR/).fill("20.00");
  await item.getByRole("button", { name: "Capture" }).click();
  await expect(page.getByTestId("flash-notice")).toHaveText("Captured €20.00; the credit follows.");
  await expect(page.locator(`li[data-payment-id="${paymentId}"]`)).toHaveCount(0);

  await expectCredit(page, paymentId, /credited/);
  await expect(page.getByTestId("payment-status")).toHaveText(/succeeded/);
  await expect(page.getByTestId("amount-received")).toHaveText("€20.00");
  await expect(page.getByTestId("timeline")).toContainText("Console: Capture by Operator");
  await expect(page.getByTestId("authorization-forms")).toHaveCount(0);

  const [pi] = await stripeEmulator.paymentIntentsFor(userId);
  expect(pi!.status).toBe("succeeded");
  const credits = await navixy.credits(userId);
  expect(credits.map((c) => c.amount)).toEqual(["20.00"]);
  expect(credits[0]!.text).toContain(pi!.id);

  // The payer's return page now says the money arrived.
  await page.goto(returnUrl);
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: 30_000 });
});

test("the dealer releases an authorization: nothing is charged, nothing credited", async ({ page, stack, navixy, stripeEmulator, userId }) => {
  const { paymentId } = await payByApi(stack, userId, 4000);
  await signIn(page);
  await expectStatus(page, paymentId, /authorized/);
  const forms = page.getByTestId("authorization-forms");
  await expect(forms).toBeVisible();
  await forms.getByRole("button", { name: /Release/ }).click();
  await expect(page.getByTestId("flash-notice")).toHaveText(`Payment ${paymentId} is canceled: the authorization is released.`);
  await expect(page.getByTestId("payment-status")).toHaveText(/canceled/);
  await expect(forms).toHaveCount(0);

  const [pi] = await stripeEmulator.paymentIntentsFor(userId);
  expect(pi!.status).toBe("canceled");
  await stripeEmulator.flushDeliveries();
  await openPayment(page, paymentId);
  await expect(page.getByTestId("payment-status")).toHaveText(/canceled/);
  expect(await navixy.balanceCents(userId)).toBe(0);
  expect(await navixy.credits(userId)).toEqual([]);

  await page.goto(`/admin/audit?target=${paymentId}`);
  await expect(page.locator('tr[data-action="payment.cancel"]')).toContainText("Status: authorized → canceled");
});
