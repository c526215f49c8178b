// What a payer does on the checkout and sees on the return page, against the sandbox Stripe.js contract:
// card inputs data-testid sandbox-card-number / sandbox-card-expiry (MM / YY) / sandbox-card-cvc, and a
// 3-D Secure modal data-testid sandbox-3ds with the buttons "Complete" and "Fail".
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, SANDBOX_STRIPE_JS, type NavixyControl, type StripeControl } from "./fixtures";
import { ROOT, type StackInfo } from "./env";

export const CARDS = {
  success: "4242 4242 4242 4242",
  declined: "4000 0000 0000 0002",
  insufficientFunds: "4000 0000 0000 9995",
  threeDSecure: "4000 0027 6000 3184",
} as const;

/** How long a paid payment may take to show "credited" (webhook, worker, Navixy, the page's polling). */
export const CREDIT_TIMEOUT_MS = 30_000;

/** "€25.00" as the page writes EUR amounts. */
export function eur(cents: number): string {
  return new Intl.NumberFormat("en", { style: "currency", currency: "EUR" }).format(cents / 100);
}

/** The sandbox banner is on every page in the sandbox configuration and on none in the real one. */
export async function expectBanner(page: Page, stack: StackInfo): Promise<void> {
  const banner = page.getByTestId("sandbox-banner");
  if (stack.sandbox) {
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(/no real money/i);
  } else {
    await expect(banner).toHaveCount(0);
  }
}

/** Opens /?id=<user> and waits until the payment form is ready (Pay enabled). */
export async function openCheckout(page: Page, stack: StackInfo, userId: number, maskedName = "E*** M***"): Promise<void> {
  if (!stack.sandbox && !fs.existsSync(SANDBOX_STRIPE_JS)) {
    throw new Error(
      `${path.relative(ROOT, SANDBOX_STRIPE_JS)} does not exist yet: the real configuration serves it as Stripe.js (sandbox mode work).`,
    );
  }
  const response = await page.goto(`/?id=${userId}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("checkout-form")).toBeVisible();
  await expect(page.getByTestId("account")).toContainText(maskedName);
  await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("stripe-load-error")).toHaveCount(0);
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible();
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  await expectBanner(page, stack);
}

export async function choosePreset(page: Page, cents: number): Promise<void> {
  const button = page.getByTestId("amount-presets").getByRole("button", { name: eur(cents), exact: true });
  await button.click();
  await expect(button).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("pay-button")).toHaveText(`Pay ${eur(cents)}`);
}

export async function enterCard(page: Page, number: string): Promise<void> {
  await page.getByTestId("sandbox-card-number").fill(number);
  await page.getByTestId("sandbox-card-expiry").fill("12 / 34");
  await page.getByTestId("sandbox-card-cvc").fill("123");
}

export async function pressPay(page: Page): Promise<void> {
  await page.getByTestId("pay-button").click();
}

/** After Pay: the payer is on the return page and it reaches `state` (data-state). */
export async function expectReturnPage(page: Page, stack: StackInfo, state: string): Promise<void> {
  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  const status = page.getByTestId("payment-status");
  await expect(status).toHaveAttribute("data-state", state, { timeout: CREDIT_TIMEOUT_MS });
  await expectBanner(page, stack);
}

/** The form error the payer sees after a refused card, read back. */
export async function expectFormError(page: Page, text: RegExp | string): Promise<string> {
  const error = page.getByTestId("form-error");
  await expect(error).toBeVisible({ timeout: 20_000 });
  await expect(error).toContainText(text);
  await expect(page).toHaveURL(/\/\?id=/); // still on the checkout
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  return (await error.innerText()).trim();
}

/** The sandbox's 3-D Secure challenge, answered. */
export async function answer3DS(page: Page, outcome: "Complete" | "Fail"): Promise<void> {
  const modal = page.getByTestId("sandbox-3ds");
  await expect(modal).toBeVisible({ timeout: 20_000 });
  await modal.getByRole("button", { name: outcome, exact: true }).click();
}

/** The whole payer's path up to Pay: open the checkout, choose a preset amount, enter the card, press Pay. */
export async function payOnCheckout(page: Page, stack: StackInfo, userId: number, amountCents: number, card: string): Promise<void> {
  await openCheckout(page, stack, userId);
  await choosePreset(page, amountCents);
  await enterCard(page, card);
  await pressPay(page);
}

/** After a refused payment: Stripe still waits for a payment method, and Navixy was not touched. */
export async function expectRefusedAndNotCredited(stripeEmulator: StripeControl, navixy: NavixyControl, userId: number): Promise<void> {
  await stripeEmulator.flushDeliveries();
  expect((await stripeEmulator.paymentIntentsFor(userId)).map((pi) => pi.status)).toEqual(["requires_payment_method"]);
  expect(await navixy.credits(userId)).toEqual([]);
  expect(await navixy.balanceCents(userId)).toBe(0);
}
