// One payment at a time through the browser, in both configurations: what the payer sees, and what the
// Navixy balance (emulator state) and Stripe (emulator state) became. Every test has its own Navixy user.
import { test, expect, snap, cents } from "./support/fixtures";
import {
  CARDS,
  answer3DS,
  choosePreset,
  enterCard,
  eur,
  expectFormError,
  expectRefusedAndNotCredited,
  expectReturnPage,
  openCheckout,
  payOnCheckout,
  pressPay,
} from "./support/checkout";

test("a preset amount is paid and credited exactly once", async ({ page, stack, navixy, stripeEmulator, userId }, testInfo) => {
  expect(await navixy.balanceCents(userId)).toBe(0);
  await openCheckout(page, stack, userId);
  await choosePreset(page, 2500);
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "checkout");
  await pressPay(page);

  await expectReturnPage(page, stack, "credited");
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-credit-state", "credited");
  await expect(page.getByTestId("payment-message")).toHaveText(`${eur(2500)} has been added to your balance.`);
  await expect(page.getByTestId("retry-link")).toHaveCount(0);
  await snap(page, testInfo, "return-page");

  const credits = await navixy.credits(userId);
  expect(credits.map((c) => cents(c.amount))).toEqual([2500]);
  expect(await navixy.balanceCents(userId)).toBe(2500);
  const intents = await stripeEmulator.paymentIntentsFor(userId);
  expect(intents.map((pi) => [pi.amount, pi.currency, pi.status])).toEqual([[2500, "eur", "succeeded"]]);
  expect(credits[0]?.text).toContain(intents[0]?.id ?? "(no PaymentIntent)");
});

test("a custom amount is paid and credited", async ({ page, stack, navixy, userId }, testInfo) => {
  await navixy.createUser(); // another user's balance is not touched
  const before = await navixy.balanceCents(userId);
  await openCheckout(page, stack, userId);
  await page.getByTestId("custom-amount").fill("12.34");
  await expect(page.getByTestId("pay-button")).toHaveText(`Pay ${eur(1234)}`);
  await expect(page.getByTestId("amount-presets").getByRole("button", { pressed: true })).toHaveCount(0);
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "checkout");
  await pressPay(page);

  await expectReturnPage(page, stack, "credited");
  await expect(page.getByTestId("payment-message")).toHaveText(`${eur(1234)} has been added to your balance.`);
  await snap(page, testInfo, "return-page");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([1234]);
  expect(await navixy.balanceCents(userId)).toBe(before + 1234);
});

test("an amount outside the limits is refused with the reason and creates no PaymentIntent", async ({
  page,
  stack,
  navixy,
  stripeEmulator,
  userId,
}, testInfo) => {
  await openCheckout(page, stack, userId);
  const custom = page.getByTestId("custom-amount");
  const amountError = page.getByTestId("amount-error");
  const reason = `The amount must be between ${eur(500)} and ${eur(100_000)}.`;

  await custom.fill("4.99");
  await custom.blur();
  await expect(amountError).toHaveText(reason);
  await expect(custom).toHaveAttribute("aria-invalid", "true");
  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expect(amountError).toHaveText(reason);
  await expect(custom).toBeFocused();

  await custom.fill("1000.01");
  await expect(amountError).toHaveText(reason);
  await pressPay(page);
  await expect(amountError).toHaveText(reason);
  await snap(page, testInfo, "checkout-refused");

  // The server refuses it on its own too, with the same words.
  const api = await page.request.post("/api/payments", { data: { userId, amount: 100_001 } });
  expect(api.status()).toBe(400);
  expect(((await api.json()) as { error: { message: string } }).error.message).toBe(reason);

  await expect(page).toHaveURL(/\/\?id=/);
  await expect(page.getByTestId("form-error")).toHaveCount(0);
  expect(await stripeEmulator.paymentIntentsFor(userId)).toEqual([]);
  expect(await navixy.credits(userId)).toEqual([]);

  // Back to a valid amount, the same page pays.
  await custom.fill("5");
  await expect(amountError).toHaveText("");
  await expect(page.getByTestId("pay-button")).toHaveText(`Pay ${eur(500)}`);
});

test("a declined card shows the reason, and the payer retries on the same page", async ({
  page,
  stack,
  navixy,
  stripeEmulator,
  userId,
}, testInfo) => {
  await payOnCheckout(page, stack, userId, 1000, CARDS.declined);
  await expectFormError(page, "Your card was declined.");
  await snap(page, testInfo, "checkout-declined");
  await expectRefusedAndNotCredited(stripeEmulator, navixy, userId);

  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");
  await expect(page.getByTestId("payment-message")).toHaveText(`${eur(1000)} has been added to your balance.`);
  await snap(page, testInfo, "return-page");

  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([1000]);
  expect(await navixy.balanceCents(userId)).toBe(1000);
  // The retry paid the same payment: one PaymentIntent, now succeeded.
  expect((await stripeEmulator.paymentIntentsFor(userId)).map((pi) => pi.status)).toEqual(["succeeded"]);
});

test("a card with insufficient funds shows the reason and credits nothing", async ({ page, stack, navixy, stripeEmulator, userId }, testInfo) => {
  await payOnCheckout(page, stack, userId, 5000, CARDS.insufficientFunds);
  await expectFormError(page, /insufficient funds/i);
  await snap(page, testInfo, "checkout-insufficient-funds");
  await expectRefusedAndNotCredited(stripeEmulator, navixy, userId);
});

test("3-D Secure completed: credited once", async ({ page, stack, navixy, stripeEmulator, userId }, testInfo) => {
  await payOnCheckout(page, stack, userId, 2500, CARDS.threeDSecure);
  await expect(page.getByTestId("sandbox-3ds")).toBeVisible({ timeout: 20_000 });
  await snap(page, testInfo, "checkout-3ds");
  await answer3DS(page, "Complete");

  await expectReturnPage(page, stack, "credited");
  await snap(page, testInfo, "return-page");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([2500]);
  expect((await stripeEmulator.paymentIntentsFor(userId)).map((pi) => pi.status)).toEqual(["succeeded"]);
});

test("3-D Secure failed: the reason is shown and nothing is credited", async ({ page, stack, navixy, stripeEmulator, userId }, testInfo) => {
  await payOnCheckout(page, stack, userId, 2500, CARDS.threeDSecure);
  await answer3DS(page, "Fail");

  // Like Stripe.js, the failure comes back to the checkout (the payer may try another card there).
  const message = await expectFormError(page, /authenticat/i);
  expect(message.length).toBeGreaterThan(10);
  await expect(page.getByTestId("sandbox-3ds")).toBeHidden();
  await snap(page, testInfo, "checkout-3ds-failed");
  await expectRefusedAndNotCredited(stripeEmulator, navixy, userId);
});

test("reloading the return page does not credit again", async ({ page, stack, navixy, stripeEmulator, userId }, testInfo) => {
  await payOnCheckout(page, stack, userId, 10_000, CARDS.success);
  await expectReturnPage(page, stack, "credited");
  const returnUrl = page.url();
  expect(new URL(returnUrl).searchParams.get("payment_intent")).toMatch(/^pi_/);

  await page.reload();
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited");
  await page.goto(returnUrl);
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited");
  await expect(page.getByTestId("payment-message")).toHaveText(`${eur(10_000)} has been added to your balance.`);
  await snap(page, testInfo, "return-page-reloaded");

  await stripeEmulator.flushDeliveries(); // every webhook of this payment has been answered
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([10_000]);
  expect(await navixy.balanceCents(userId)).toBe(10_000);
});

test("a credit whose answer Navixy lost is still made exactly once", async ({ page, stack, navixy, userId }, testInfo) => {
  // Navixy applies the first credit but the connection drops before the answer: the gateway must find it
  // in the user's transactions instead of sending it again.
  await navixy.addFault({ method: "panel/user/transaction/change_balance", userId, times: 1, action: { type: "drop_after_apply" } });
  await payOnCheckout(page, stack, userId, 5000, CARDS.success);
  await expectReturnPage(page, stack, "credited");
  await snap(page, testInfo, "return-page");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([5000]);
  expect(await navixy.balanceCents(userId)).toBe(5000);
});
