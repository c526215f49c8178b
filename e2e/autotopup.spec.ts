// Automatic top-up in the browser (sandbox configuration): the opt-in on the checkout, the manage link on the
// return page, turning it off from the manage page, refused links, and the "confirm with your bank" prompt, which
// only the manage link's holder gets: in the browser that enrolled, or from the manage page on any other.
// The scheduler itself is driven in lib/autotopup/autotopup.int.test.ts; here the rule's paused state is set
// in the stack's database directly.
import Database from "better-sqlite3";
import { test, expect, snap } from "./support/fixtures";
import { CARDS, answer3DS, choosePreset, enterCard, expectBanner, expectReturnPage, openCheckout, pressPay } from "./support/checkout";
import type { StackInfo } from "./support/env";

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== "sandbox", "automatic top-up runs in the sandbox configuration");
});

function database(stack: StackInfo): Database.Database {
  return new Database(stack.databaseUrl.replace(/^file:/, ""), { timeout: 10_000 });
}

function ruleOf(stack: StackInfo, userId: number): { id: string; state: string; amount: number; threshold: number; monthlyLimit: number; mandateText: string } | undefined {
  const db = database(stack);
  try {
    return db.prepare(`SELECT id, state, amount, threshold, monthlyLimit, mandateText FROM "AutoTopUpRule" WHERE navixyUserId = ?`).get(userId) as never;
  } finally {
    db.close();
  }
}

async function optIn(page: import("@playwright/test").Page): Promise<void> {
  const box = page.getByTestId("autotopup-checkbox");
  await expect(box).toBeVisible();
  await box.check();
  await expect(page.getByTestId("autotopup-label")).toHaveText(
    "Top up automatically: add €25.00 when my balance falls below €10.00, at most €100.00 per month",
  );
  await page.getByTestId("autotopup-amount").fill("20");
  await expect(page.getByTestId("autotopup-label")).toHaveText(
    "Top up automatically: add €20.00 when my balance falls below €10.00, at most €100.00 per month",
  );
  await expect(page.getByTestId("autotopup-mandate")).toContainText("charge it €20.00 each time the balance of this account falls below €10.00");
}

test("opt in at the checkout, get the manage link, turn automatic top-up off", async ({ page, stack, userId }, testInfo) => {
  await openCheckout(page, stack, userId);
  await choosePreset(page, 2500);
  await optIn(page);
  const mandate = (await page.getByTestId("autotopup-mandate").innerText()).trim();
  await snap(page, testInfo, "checkout-opt-in");
  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");

  const rule = ruleOf(stack, userId);
  expect(rule).toMatchObject({ state: "active", amount: 2000, threshold: 1000, monthlyLimit: 10_000, mandateText: mandate });
  const link = page.getByTestId("autotopup-manage-link");
  await expect(link).toBeVisible();
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(new RegExp(`^${stack.appUrl}/topup/manage/${rule!.id}\\.`));
  await snap(page, testInfo, "return-page");

  await link.click();
  await expect(page.getByTestId("autotopup-manage")).toBeVisible();
  await expect(page.getByTestId("autotopup-state")).toHaveText("On");
  await expect(page.getByTestId("autotopup-terms")).toContainText("€20.00");
  await expectBanner(page, stack);
  await snap(page, testInfo, "manage-page");

  await page.getByTestId("autotopup-turn-off").click();
  await expect(page).toHaveURL(/\?done=off$/);
  await expect(page.getByTestId("autotopup-state")).toHaveAttribute("data-state", "disabled_by_payer");
  await expect(page.getByTestId("autotopup-notice")).toHaveText("Automatic top-up is off. Your card will not be charged again.");
  await expect(page.getByTestId("autotopup-turn-off")).toHaveCount(0);
  expect(ruleOf(stack, userId)?.state).toBe("disabled_by_payer");
  await snap(page, testInfo, "manage-page-off");

  // The checkout offers it again.
  await openCheckout(page, stack, userId);
  await expect(page.getByTestId("autotopup-checkbox")).toBeVisible();
});

test("forged and tampered manage links are refused with a clear page", async ({ page, request, stack }) => {
  const forged = await page.goto("/topup/manage/atr_0123456789abcdefghjkmnpqrs.0.4102444800.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  expect(forged?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await expectBanner(page, stack);
  expect((await page.goto("/topup/manage/nonsense"))?.status()).toBe(403);
  // The form's endpoint refuses a post from elsewhere.
  const token = "atr_0123456789abcdefghjkmnpqrs.0.4102444800.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const post = await request.post(`/topup/manage/${token}`, {
    form: { token, action: "off" },
    headers: { origin: "https://evil.example" },
  });
  expect(post.status()).toBe(403);
});

/** What the scheduler does when an off-session top-up answers authentication_required (see the integration tests). */
function pauseForAuthentication(stack: StackInfo, userId: number): void {
  const db = database(stack);
  try {
    db.prepare(`UPDATE "AutoTopUpRule" SET state = 'paused_authentication_required' WHERE navixyUserId = ?`).run(userId);
  } finally {
    db.close();
  }
}

test("the bank asks to confirm: the checkout of the browser that enrolled says so, the payer confirms, automatic top-up resumes", async ({ page, stack, userId, navixy }) => {
  await openCheckout(page, stack, userId);
  await choosePreset(page, 2500);
  await optIn(page);
  await enterCard(page, CARDS.threeDSecure); // 4000 0027 6000 3184: the bank asks on every payment
  await pressPay(page);
  await answer3DS(page, "Complete");
  await expectReturnPage(page, stack, "credited");
  expect(ruleOf(stack, userId)?.state).toBe("active");
  pauseForAuthentication(stack, userId);

  await openCheckout(page, stack, userId);
  const prompt = page.getByTestId("autotopup-confirm");
  await expect(prompt).toContainText("Your bank asks you to confirm your automatic top-up.");
  await expect(page.getByTestId("autotopup-checkbox")).toHaveCount(0);
  const before = await navixy.balanceCents(userId);
  await page.getByTestId("autotopup-confirm-button").click();
  await answer3DS(page, "Complete");
  await expectReturnPage(page, stack, "credited");
  await expect(page.getByTestId("autotopup-manage-link")).toHaveCount(0); // only after enrolment
  expect(await navixy.balanceCents(userId)).toBe(before + 2000);
  await expect.poll(() => ruleOf(stack, userId)?.state).toBe("active");
  await openCheckout(page, stack, userId);
  await expect(page.getByTestId("autotopup-confirm")).toHaveCount(0);
});

test("anyone else with the user id learns nothing; the payer confirms from the manage page on another device", async ({ page, browser, request, stack, userId, navixy }) => {
  await openCheckout(page, stack, userId);
  await choosePreset(page, 2500);
  await optIn(page);
  await enterCard(page, CARDS.threeDSecure);
  await pressPay(page);
  await answer3DS(page, "Complete");
  await expectReturnPage(page, stack, "credited");
  const manageLink = (await page.getByTestId("autotopup-manage-link").getAttribute("href"))!;
  pauseForAuthentication(stack, userId);

  // With the user id alone: the answer any user gets, and no confirmation.
  const someoneElse = await navixy.createUser();
  const status = async (id: number) => (await request.get(`/api/topup/checkout?userId=${id}`)).text();
  expect(await status(userId)).toBe(await status(someoneElse));
  const refused = await request.post("/api/topup/confirm", { data: { userId } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("manage_link_required");

  const device = await browser.newContext({ baseURL: stack.appUrl, locale: "en-US", timezoneId: "UTC" });
  try {
    const other = await device.newPage();
    await openCheckout(other, stack, userId);
    await expect(other.getByTestId("autotopup-checkbox")).toBeVisible();
    await expect(other.getByTestId("autotopup-confirm")).toHaveCount(0);

    await other.goto(manageLink);
    await expect(other.getByTestId("autotopup-state")).toHaveAttribute("data-state", "paused_authentication_required");
    await expect(other.getByTestId("autotopup-manage")).toContainText("Your bank asks you to confirm a top-up. Confirm it with the button below");
    await other.getByTestId("autotopup-confirm-link").click();
    await expect(other.getByTestId("autotopup-confirm")).toContainText("Your bank asks you to confirm your automatic top-up.");
    await expect(other.getByTestId("autotopup-checkbox")).toHaveCount(0);
    expect(new URL(other.url()).hash).toBe(""); // the token left the address bar
    const before = await navixy.balanceCents(userId);
    await other.getByTestId("autotopup-confirm-button").click();
    await answer3DS(other, "Complete");
    await expectReturnPage(other, stack, "credited");
    expect(await navixy.balanceCents(userId)).toBe(before + 2000);
    await expect.poll(() => ruleOf(stack, userId)?.state).toBe("active");
  } finally {
    await device.close();
  }
});
