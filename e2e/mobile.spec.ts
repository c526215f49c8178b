// A phone-sized screen (375×667): the whole payment fits the width (no horizontal scrolling).
import type { Page } from "@playwright/test";
import { test, expect, snap, cents } from "./support/fixtures";
import { CARDS, choosePreset, enterCard, expectReturnPage, openCheckout, pressPay } from "./support/checkout";

test.use({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

async function expectNoHorizontalScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "page is wider than the 375 px screen").toBeLessThanOrEqual(375);
}

test("paying on a phone: checkout, card form and return page fit the screen", async ({ page, stack, navixy, userId }, testInfo) => {
  await openCheckout(page, stack, userId);
  await expectNoHorizontalScroll(page);
  await choosePreset(page, 10_000);
  await page.getByTestId("custom-amount").fill("1000.01");
  await page.getByTestId("custom-amount").blur();
  await expect(page.getByTestId("amount-error")).not.toHaveText("");
  await expectNoHorizontalScroll(page);
  await page.getByTestId("custom-amount").fill("1000");
  await enterCard(page, CARDS.success);
  await expectNoHorizontalScroll(page);
  await snap(page, testInfo, "checkout-phone");
  await pressPay(page);

  await expectReturnPage(page, stack, "credited");
  await expectNoHorizontalScroll(page);
  await snap(page, testInfo, "return-page-phone");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([100_000]);
});

test("error pages fit a phone screen", async ({ page }) => {
  for (const path of ["/?id=abc", "/?id=1999999999", "/no-such-page", "/payment/complete?payment_intent=pi_nope"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoHorizontalScroll(page);
  }
});
