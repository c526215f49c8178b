// The links a payer may arrive with: what the page says, with which HTTP status, in both configurations.
import { test, expect } from "./support/fixtures";
import { expectBanner } from "./support/checkout";

const INCOMPLETE = "This payment link is incomplete";
const NOT_AVAILABLE = "Account not available";

for (const [label, path] of [
  ["a non-numeric id", "/?id=abc"],
  ["a missing id", "/"],
  ["an empty id", "/?id="],
  ["a negative id", "/?id=-5"],
] as const) {
  test(`${label} answers 400 with a readable page`, async ({ page, stack }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(400);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(INCOMPLETE);
    await expect(page.getByText(/missing the account number or the number is not valid/)).toBeVisible();
    await expect(page.getByTestId("checkout-form")).toHaveCount(0);
    await expectBanner(page, stack);
  });
}

test("an unknown user id answers 404", async ({ page, stack, navixy }) => {
  const unknown = 1_999_999_999;
  expect((await navixy.users()).some((u) => u.id === unknown)).toBe(false);
  const response = await page.goto(`/?id=${unknown}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(NOT_AVAILABLE);
  await expect(page.getByText("This account cannot be topped up here.", { exact: false })).toBeVisible();
  await expect(page.getByTestId("checkout-form")).toHaveCount(0);
  await expectBanner(page, stack);
});

test("a sub-user answers 404 like an unknown user", async ({ page, stack, navixy }) => {
  const subUser = await navixy.createUser({ subUser: true });
  const response = await page.goto(`/?id=${subUser}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(NOT_AVAILABLE);
  await expect(page.getByTestId("checkout-form")).toHaveCount(0);
  await expectBanner(page, stack);
  // The demo sub-user too.
  expect((await page.goto("/?id=10004"))?.status()).toBe(404);
});

test("Navixy failing to answer gives 503 'temporarily unavailable'", async ({ page, stack, navixy, userId }) => {
  await navixy.addFault({ method: "panel/user/read", userId, always: true, action: { type: "error", code: 1 } });
  const response = await page.goto(`/?id=${userId}`);
  expect(response?.status()).toBe(503);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Payments are temporarily unavailable");
  await expect(page.getByTestId("checkout-form")).toHaveCount(0);
  await expectBanner(page, stack);
});

test("a return link that belongs to no payment says so", async ({ page, stack }) => {
  await page.goto("/payment/complete?payment_intent=pi_doesnotexist123&redirect_status=succeeded");
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "not_found");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find this payment");
  await expectBanner(page, stack);
});

test("an unknown path shows the not-found page", async ({ page, stack }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expectBanner(page, stack);
});
