// A receipt by e-mail, from the browser: the page shows only the masked address of the account, the payer ticks the
// box, pays in German, and Stripe (the emulator) gets the account's login on the paid charge, in German.
import { test, expect, snap } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS, enterCard, expectReturnPage, pressPay } from "./support/checkout";

interface Receipt {
  paymentIntent: string | null;
  email: string;
  locale: string | null;
}

test("the payer asks for a receipt: the address stays off the page and Stripe sends it in the page's language", async ({ page, stack, stripeEmulator, userId }, testInfo) => {
  const login = `e2e-${userId}@example.com`;
  await page.goto(`/?id=${userId}&lang=de`);
  await expect(page.getByTestId("pay-button")).toBeEnabled({ timeout: 20_000 });
  const label = page.getByTestId("receipt-label");
  await expect(label).toContainText("e***@e***.com");
  expect(await page.content()).not.toContain(login);

  await page.getByTestId("receipt-checkbox").check();
  await page.getByTestId("amount-presets").getByRole("button").nth(1).click();
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "checkout-with-receipt");
  await pressPay(page);
  // The return page, in German (its sandbox banner too: expectReturnPage reads the English one).
  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  expect(await page.content()).not.toContain(login);

  const [intent] = await stripeEmulator.paymentIntentsFor(userId);
  expect(intent?.metadata.receipt).toMatch(/^(requested|sent)$/);
  await expect
    .poll(async () => {
      const res = await fetch(`${stack.stripeUrl}/_emulator/receipts`);
      return ((await res.json()) as { receipts: Receipt[] }).receipts.filter((r) => r.paymentIntent === intent?.id);
    })
    .toEqual([expect.objectContaining({ email: login, locale: "de" })]);
});

test("without the box ticked, no receipt", async ({ page, stack, stripeEmulator, userId }) => {
  await page.goto(`/?id=${userId}`);
  await expect(page.getByTestId("pay-button")).toBeEnabled({ timeout: 20_000 });
  await expect(page.getByTestId("receipt-checkbox")).not.toBeChecked();
  await page.getByTestId("amount-presets").getByRole("button").first().click();
  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");
  const [intent] = await stripeEmulator.paymentIntentsFor(userId);
  expect(intent?.metadata.receipt).toBeUndefined();
  const res = await fetch(`${stack.stripeUrl}/_emulator/receipts`);
  expect(((await res.json()) as { receipts: Receipt[] }).receipts.filter((r) => r.paymentIntent === intent?.id)).toEqual([]);
});
