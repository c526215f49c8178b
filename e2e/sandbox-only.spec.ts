// The sandbox configuration (SANDBOX=1): the app serves its own Stripe.js, says "no real money" on every
// page, and /sandbox lists the demo users with their balances.
import { test, expect, snap, cents } from "./support/fixtures";
import { CARDS, choosePreset, enterCard, eur, expectBanner, expectReturnPage, openCheckout, pressPay } from "./support/checkout";

test("the banner is on every page, error pages included", async ({ page, stack, userId }) => {
  for (const path of [
    `/?id=${userId}`,
    "/?id=abc",
    "/",
    "/?id=1999999999",
    "/?id=10004",
    "/payment/complete?payment_intent=pi_nope",
    "/no-such-page",
    "/sandbox",
  ]) {
    await page.goto(path);
    await expectBanner(page, stack).catch((error: unknown) => {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
});

test("the app serves its own Stripe.js", async ({ page, request, userId }) => {
  const script = await request.get("/sandbox/stripe.js");
  expect(script.status()).toBe(200);
  expect(script.headers()["content-type"]).toMatch(/javascript/);
  const jsStripe: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith("https://js.stripe.com/")) jsStripe.push(r.url());
  });
  await page.goto(`/?id=${userId}`);
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible({ timeout: 20_000 });
  expect(jsStripe, "sandbox mode must not load Stripe.js from js.stripe.com").toEqual([]);
});

test("/sandbox shows a demo user's balance change after a payment", async ({ page, stack, navixy }, testInfo) => {
  const demoUser = 10002; // Oleg Ivanov, a demo user; no other test pays for him
  const before = await navixy.balanceCents(demoUser);
  const creditsBefore = (await navixy.credits(demoUser)).length;

  await page.goto("/sandbox");
  const balance = page.getByTestId(`sandbox-balance-${demoUser}`);
  await expect(balance).toHaveText(eur(before));
  await expectBanner(page, stack);
  await snap(page, testInfo, "sandbox-before");

  await page.getByTestId(`sandbox-pay-${demoUser}`).click();
  await expect(page).toHaveURL(new RegExp(`/\\?id=${demoUser}$`));
  await openCheckout(page, stack, demoUser, "O*** I***");
  await choosePreset(page, 2500);
  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");
  expect(await navixy.balanceCents(demoUser)).toBe(before + 2500);
  expect((await navixy.credits(demoUser)).slice(creditsBefore).map((t) => cents(t.amount))).toEqual([2500]);

  await page.goto("/sandbox");
  await expect(balance).toHaveText(eur(before + 2500));
  await expect(page.getByTestId(`sandbox-transactions-${demoUser}`)).toContainText(eur(2500));
  await snap(page, testInfo, "sandbox-after");
});
