// The sandbox configuration (SANDBOX=1): the app serves its own Stripe.js, says "no real money" on every
// page, and /sandbox lists the demo users with their balances.
import { test, expect, snap, cents } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS, choosePreset, enterCard, eur, expectBanner, expectReturnPage, openCheckout, pressPay } from "./support/checkout";
import { expectNoAxeViolations } from "./support/axe";

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

test("ar: the sandbox card form and its 3-D Secure dialog speak the page's language; card numbers and dates stay left to right", async ({
  page,
  navixy,
  userId,
}) => {
  await page.goto(`/?id=${userId}&lang=ar`);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  const form = page.getByTestId("sandbox-payment-element");
  const number = page.getByTestId("sandbox-card-number");
  const expiry = page.getByTestId("sandbox-card-expiry");
  const cvc = page.getByTestId("sandbox-card-cvc");
  await expect(number).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel("رقم البطاقة", { exact: true })).toHaveAttribute("data-testid", "sandbox-card-number");
  await expect(page.getByLabel("تاريخ الانتهاء", { exact: true })).toHaveAttribute("data-testid", "sandbox-card-expiry");
  await expect(page.getByLabel("رمز الأمان", { exact: true })).toHaveAttribute("data-testid", "sandbox-card-cvc");
  const hint = page.getByTestId("sandbox-test-card-hint");
  await expect(hint).toContainText("بطاقة اختبار");
  await expect(hint.locator("code")).toHaveText("4242 4242 4242 4242");
  await expect(hint.locator("code")).toHaveAttribute("dir", "ltr");
  for (const english of ["Card number", "Expiration date", "Security code", "Sandbox test card", "any future date", "Card"]) {
    expect(await form.innerText(), english).not.toContain(english);
  }

  // Typed as printed on the card: the digits and the date read left to right inside the right-to-left page.
  await number.pressSequentially("4000000000000002");
  await expiry.pressSequentially("1234");
  await expect(number).toHaveValue("4000 0000 0000 0002");
  await expect(expiry).toHaveValue("12 / 34");
  for (const input of [number, expiry, cvc]) {
    expect(await input.evaluate((el) => getComputedStyle(el).direction)).toBe("ltr");
    await expect(input).toHaveAttribute("dir", "ltr");
  }
  // What the payer sees: "4000" at the left of "0002", "12" at the left of "34".
  const order = await number.evaluate((el) => {
    const input = el as HTMLInputElement;
    const probe = document.createElement("span");
    const style = getComputedStyle(input);
    probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${style.font};direction:${style.direction};unicode-bidi:${style.unicodeBidi}`;
    probe.textContent = input.value;
    document.body.appendChild(probe);
    const range = document.createRange();
    const text = probe.firstChild!;
    range.setStart(text, 0);
    range.setEnd(text, 4);
    const first = range.getBoundingClientRect().left;
    range.setStart(text, input.value.length - 4);
    range.setEnd(text, input.value.length);
    const last = range.getBoundingClientRect().left;
    probe.remove();
    return first < last;
  });
  expect(order, "4000 is written before 0002, left to right").toBe(true);

  // The form's own errors, in Arabic.
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("form-error")).toContainText("رمز الأمان لبطاقتك غير مكتمل.");
  await expectNoAxeViolations(page, "the sandbox card form in Arabic", { scanStripeDouble: true });

  // 3-D Secure: the dialog in Arabic, the amount as the page writes it.
  await number.fill("");
  await number.pressSequentially("4000002760003184");
  await cvc.pressSequentially("123");
  await page.getByTestId("pay-button").click();
  const dialog = page.getByTestId("sandbox-3ds");
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  const amount = await page.evaluate(() => new Intl.NumberFormat("ar", { style: "currency", currency: "EUR" }).format(10));
  await expect(dialog.getByRole("heading")).toHaveText("مصادقة 3D Secure تجريبية");
  await expect(dialog).toContainText(`يطلب منك مصرفك تأكيد هذه الدفعة بمبلغ ${amount}.`);
  await expect(dialog.locator("bdi")).toHaveText(amount);
  for (const english of ["Your bank", "Sandbox", "Complete", "Fail"]) expect(await dialog.innerText(), english).not.toContain(english);
  await expectNoAxeViolations(page, "the sandbox 3-D Secure dialog in Arabic", { scanStripeDouble: true });
  await dialog.getByRole("button", { name: "إتمام", exact: true }).click();
  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  expect((await navixy.credits(userId)).map((t) => cents(t.amount))).toEqual([1000]);
});
