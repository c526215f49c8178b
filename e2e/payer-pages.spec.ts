// What the payer sees around the payment itself: the last screen (the amount, a short reference the dealer's
// console finds, a way back to the tracking app, the focus on the outcome, never the balance), one money format per
// language with the dealer named in the automatic top-up mandate, a hosted dealer's manage page that stays under
// /d/<slug> with the dealer's look, and the page's top line on a 375 px phone.
import Database from "better-sqlite3";
import type { Locator } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS, choosePreset, enterCard, expectReturnPage, openCheckout, pressPay } from "./support/checkout";
import { signIn } from "./support/console";
import { addHostedDealer, type HostedDealer } from "./support/dealers";
import type { StackInfo } from "./support/env";
import { expectNoAxeViolations } from "./support/axe";
import { formatMoney } from "../lib/money";

function ruleOf(stack: StackInfo, userId: number): { state: string; mandateText: string } | undefined {
  const db = new Database(stack.databaseUrl.replace(/^file:/, ""), { timeout: 10_000 });
  try {
    return db.prepare(`SELECT state, mandateText FROM "AutoTopUpRule" WHERE navixyUserId = ?`).get(userId) as never;
  } finally {
    db.close();
  }
}

/** The money as Intl writes it in that language (what lib/money formatMoney gives). */
const intlMoney = (cents: number, locale: string) => new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" }).format(cents / 100);
/** Spaces inside amounts differ only in kind (no-break, narrow no-break) between writers: compare them as one. */
const spaces = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, " ");

test("the last screen: the amount, a reference the console finds, a link back to the tracking app, the focus on the outcome, never the balance", async ({
  page,
  stack,
  navixy,
}) => {
  const userId = await navixy.createUser({ balance: "7.35" });
  await openCheckout(page, stack, userId);
  await choosePreset(page, 2500);
  await enterCard(page, CARDS.success);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");
  const paymentId = new URL(page.url()).searchParams.get("payment")!;
  expect(paymentId).toMatch(/^pay_/);

  // Opened again (the redirect's own load): the outcome has the focus at once, not the page's body.
  await page.reload();
  const heading = page.getByRole("heading", { level: 1, name: "Money added" });
  await expect(heading).toBeFocused();
  await expect(page.getByTestId("payment-message")).toHaveText("€25.00 has been added to your balance.");
  await expect(page.getByTestId("payment-amount")).toHaveText("Amount: €25.00");

  const reference = (await page.getByTestId("payment-reference-value").innerText()).trim();
  expect(reference).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  await expect(page.getByTestId("payment-reference")).toContainText(reference);

  // Back to the dealer's tracking app: its domain from the dealer's Navixy settings.
  const back = page.getByTestId("back-to-app");
  await expect(back).toHaveAttribute("href", "https://gps.example.com/");
  await expect(back).toHaveText(stack.name === "real" ? "Back to Acme GPS" : "Back to Navixy emulator");

  // The balance (7.35 + 25.00) is never shown: the id in the link is not proof of who is looking.
  expect(await navixy.balanceCents(userId)).toBe(3235);
  await expect(page.locator("body")).not.toContainText("32.35");
  await expectNoAxeViolations(page, "the return page, credited, with its reference and link back");

  // Support finds the payment by the reference the payer quotes.
  await signIn(page);
  await page.goto(`/admin/payments?q=${encodeURIComponent(reference)}`);
  await expect(page.getByRole("main")).toContainText(paymentId);
  await page.goto(`/admin/payments?q=${encodeURIComponent(reference.replace("-", "").toLowerCase())}`);
  await expect(page.getByRole("main")).toContainText(paymentId);
});

test.describe("automatic top-up", () => {
  test.beforeEach(({}, testInfo) => {
    test.skip(testInfo.project.name !== "sandbox", "automatic top-up runs in the sandbox configuration");
  });

  test("ru: one money format on the checkout, the automatic top-up sentence and the mandate, which names the dealer", async ({ page, stack, userId }) => {
    await page.goto(`/?id=${userId}&lang=ru`);
    await expect(page.getByTestId("sandbox-card-number")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("amount-presets").getByRole("button").nth(1)).toHaveText(intlMoney(2500, "ru"));
    await page.getByTestId("amount-presets").getByRole("button").nth(1).click();
    await page.getByTestId("autotopup-checkbox").check();
    const label = page.getByTestId("autotopup-label");
    const mandate = page.getByTestId("autotopup-mandate");
    for (const part of [intlMoney(2500, "ru"), intlMoney(1000, "ru"), intlMoney(10_000, "ru")]) {
      expect(spaces(await label.innerText())).toContain(spaces(part));
      expect(spaces(await mandate.innerText())).toContain(spaces(part));
    }
    for (const text of [await label.innerText(), await mandate.innerText(), await page.getByTestId("autotopup-optin").innerText()]) {
      expect(text).not.toMatch(/\d\.\d\d EUR/);
    }
    // The dealer by name (the Navixy emulator's service title here), not "this payment service".
    await expect(mandate).toContainText("Navixy emulator");
    const shown = (await mandate.innerText()).trim();

    // The server wrote the same words (its Intl, not the browser's) and stored what the payer read.
    await enterCard(page, CARDS.success);
    await pressPay(page);
    await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
    await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
    const rule = ruleOf(stack, userId);
    expect(rule?.state).toBe("active");
    expect(spaces(rule!.mandateText)).toBe(spaces(shown));
  });

  test.describe("a hosted dealer", () => {
    let dealer: HostedDealer | undefined;
    test.afterAll(async () => {
      await dealer?.close();
    });

    test("its manage page: the forms and the language switcher stay under /d/<slug>; its name and look are there", async ({ page, stack }) => {
      test.setTimeout(120_000);
      const id = 1_500_000_000 + Math.floor(Math.random() * 400_000_000);
      dealer = await addHostedDealer(stack, { name: "Fjord Fleet", color: "#8a3ffc", users: [{ id, firstName: "Frida", lastName: "Dahl" }] });
      await page.goto(`${dealer.base}/?id=${id}`);
      await expect(page.getByTestId("sandbox-card-number")).toBeVisible({ timeout: 20_000 });
      await page.getByTestId("amount-presets").getByRole("button").first().click();
      await page.getByTestId("autotopup-checkbox").check();
      await expect(page.getByTestId("autotopup-mandate")).toContainText("Fjord Fleet");
      await enterCard(page, CARDS.success);
      await pressPay(page);
      await page.waitForURL(new RegExp(`${dealer.base}/payment/complete\\?`), { timeout: 20_000 });
      await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
      const href = (await page.getByTestId("autotopup-manage-link").getAttribute("href"))!;
      expect(href.startsWith(`${stack.appUrl}${dealer.base}/topup/manage/`)).toBe(true);

      const response = await page.goto(href);
      expect(response?.status()).toBe(200);
      await expect(page.getByTestId("autotopup-manage")).toBeVisible();
      await expect(page.getByTestId("dealer-logo")).toHaveAttribute("alt", "Fjord Fleet");
      await expect(page.getByTestId("dealer-logo")).toHaveAttribute("src", `${dealer.base}/brand/logo`);
      for (const form of ["autotopup-off-form", "autotopup-change-form", "language-switcher"]) {
        expect(await page.getByTestId(form).getAttribute("action"), form).toMatch(new RegExp(`^${dealer.base}/topup/manage/`));
      }
      await expectNoAxeViolations(page, "a hosted dealer's manage page");

      // Another language: still the dealer's page.
      await page.getByTestId("language-select").selectOption("de");
      await page.getByTestId("language-switcher").getByRole("button").click();
      await expect(page.locator("html")).toHaveAttribute("lang", "de");
      expect(new URL(page.url()).pathname.startsWith(`${dealer.base}/topup/manage/`)).toBe(true);
      await expect(page.getByTestId("autotopup-manage")).toBeVisible();

      // Turned off there: the dealer's rule.
      await page.getByTestId("autotopup-turn-off").click();
      await expect(page.getByTestId("autotopup-state")).toHaveAttribute("data-state", "disabled_by_payer");
      expect(new URL(page.url()).pathname.startsWith(`${dealer.base}/topup/manage/`)).toBe(true);
      await expect(page.locator("html")).toHaveAttribute("lang", "de");
    });
  });
});

/** How many lines a piece of text takes on the screen. */
async function linesOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set<number>();
    for (const r of Array.from(range.getClientRects())) if (r.width > 0 && r.height > 0) tops.add(Math.round(r.top));
    // Rects of one line differ by a pixel or two (a bold word, a link): count lines, not rects.
    const sorted = [...tops].sort((a, b) => a - b);
    return sorted.filter((t, i) => i === 0 || t - sorted[i - 1]! > 4).length;
  });
}

test.describe("375 px wide", () => {
  test.use({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  for (const lang of ["en", "de", "ru", "ar", "kk", "id"] as const) {
    test(`${lang}: "Language" and "Secure payment" each on one line, the sandbox banner short`, async ({ page, stack, userId }) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`/?id=${userId}&lang=${lang}`);
      await expect(page.getByTestId("pay-button")).toBeEnabled();
      // The browser writes money as the server did (Chromium without Kazakh data once wrote "€ 10.00" over "10,00 €",
      // and React gave up hydrating the page).
      expect(errors).toEqual([]);
      await expect(page.getByTestId("amount-presets").getByRole("button").first()).toHaveText(formatMoney(1000, "EUR", lang));
      const top = page.locator(".brand");
      expect(await linesOf(page.getByTestId("language-switcher").locator("label")), "the language label").toBe(1);
      expect(await linesOf(top.locator("span").first()), "the secure payment note").toBe(1);
      if (stack.sandbox) expect(await linesOf(page.getByTestId("sandbox-banner")), "the sandbox banner").toBeLessThanOrEqual(2);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(375);
    });
  }
});
