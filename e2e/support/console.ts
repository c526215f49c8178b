// The dealer console in the browser tests: sign in, pay through the API (as the checkout would), open a
// payment and wait for its credit state.
import type { Page } from "@playwright/test";
import { expect, type NavixyControl } from "./fixtures";
import { E2E_ADMIN_PASSWORD, type StackInfo } from "./env";

export async function signIn(page: Page): Promise<void> {
  await page.goto("/admin/login");
  await page.getByLabel("Password").fill(E2E_ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
}

/** A payment created as the checkout creates it (POST /api/payments), not confirmed yet. */
export async function createPaymentByApi(stack: StackInfo, userId: number, amount: number): Promise<{ paymentId: string; piId: string; clientSecret: string }> {
  const res = await fetch(`${stack.appUrl}/api/payments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, amount }),
  });
  const body = (await res.json()) as { paymentId: string; clientSecret: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { ...body, piId: body.clientSecret.split("_secret_")[0]! };
}

/** A card payment made through the API and the Stripe emulator, as the checkout would. */
export async function payByApi(stack: StackInfo, userId: number, amount: number): Promise<{ paymentId: string; piId: string }> {
  const { paymentId, piId, clientSecret } = await createPaymentByApi(stack, userId, amount);
  const confirm = await fetch(`${stack.stripeUrl}/v1/payment_intents/${piId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: clientSecret, payment_method: "pm_card_visa", return_url: `${stack.appUrl}/payment/complete` }),
  });
  expect(confirm.status).toBe(200);
  return { paymentId, piId };
}

export const refuseNextCredit = (navixy: NavixyControl, userId: number) =>
  navixy.addFault({ method: "panel/user/transaction/change_balance", userId, times: 1, action: { type: "error", code: 13 } });

export async function openPayment(page: Page, paymentId: string): Promise<void> {
  await page.goto(`/admin/payments/${paymentId}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(paymentId);
}

/** Reloads the payment's page until the field `testId` matches (webhook and worker run in the background). */
async function expectOnPaymentPage(page: Page, paymentId: string, testId: string, text: RegExp): Promise<void> {
  await expect(async () => {
    await openPayment(page, paymentId);
    await expect(page.getByTestId(testId)).toHaveText(text, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
}

export const expectCredit = (page: Page, paymentId: string, state: RegExp) => expectOnPaymentPage(page, paymentId, "credit-state", state);
export const expectStatus = (page: Page, paymentId: string, status: RegExp) => expectOnPaymentPage(page, paymentId, "payment-status", status);
