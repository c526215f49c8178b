// The payer's language: `?lang=`, the browser's Accept-Language, the switcher on every page, right-to-left for
// Arabic, and a payment that still goes through and is credited in another language.
import type { Page } from "@playwright/test";
import { test, expect, snap, cents } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS, enterCard, pressPay } from "./support/checkout";
import type { StackInfo } from "./support/env";

/** An amount as the page writes it in that language (Intl, like the page). */
const money = (minor: number, locale: string) => new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" }).format(minor / 100);

/** The sandbox banner, in the page's language, is on every page in the sandbox configuration only. */
async function expectBanner(page: Page, stack: StackInfo, text: RegExp): Promise<void> {
  const banner = page.getByTestId("sandbox-banner");
  if (stack.sandbox) await expect(banner).toContainText(text);
  else await expect(banner).toHaveCount(0);
}

/**
 * Errors the page reports (a server and a browser formatting a number differently would show here as a failed
 * hydration, React error #418).
 */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** The checkout is ready to take a card. */
async function expectReady(page: Page): Promise<void> {
  await expect(page.getByTestId("checkout-form")).toBeVisible();
  await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible();
  await expect(page.getByTestId("pay-button")).toBeEnabled();
}

test("?lang=de: the checkout, the return page and the credit, in German", async ({ page, stack, navixy, userId }, testInfo) => {
  const errors = pageErrors(page);
  const response = await page.goto(`/?id=${userId}&lang=de`);
  expect(response?.status()).toBe(200);
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Guthaben aufladen");
  await expect(page.getByTestId("account")).toHaveText("Konto: E*** M***");
  await expect(page.getByTestId("language-select")).toHaveValue("de");
  await expectReady(page);
  await expectBanner(page, stack, /kein echtes Geld/);
  await expect(page.getByText(`Zwischen ${money(500, "de")} und ${money(100_000, "de")}`)).toBeVisible();

  // Amounts are German numbers: typed with a decimal comma, shown as 12,34 €.
  const custom = page.getByTestId("custom-amount");
  await custom.fill("4,99");
  await custom.blur();
  await expect(page.getByTestId("amount-error")).toHaveText(`Der Betrag muss zwischen ${money(500, "de")} und ${money(100_000, "de")} liegen.`);
  await page.getByTestId("amount-presets").getByRole("button", { name: money(2500, "de"), exact: true }).click();
  await expect(page.getByTestId("pay-button")).toHaveText(`${money(2500, "de")} bezahlen`);
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "checkout-de");
  await pressPay(page);

  await page.waitForURL(/\/payment\/complete\?.*lang=de/, { timeout: 20_000 });
  const status = page.getByTestId("payment-status");
  await expect(status).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Guthaben aufgeladen");
  await expect(page.getByTestId("payment-message")).toHaveText(`${money(2500, "de")} wurde Ihrem Guthaben gutgeschrieben.`);
  await expectBanner(page, stack, /kein echtes Geld/);
  await snap(page, testInfo, "return-page-de");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([2500]);
  expect(errors).toEqual([]);
});

test("?lang=ar: right to left, in Arabic", async ({ page, stack, userId }, testInfo) => {
  const errors = pageErrors(page);
  await page.goto(`/?id=${userId}&lang=ar`);
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("شحن رصيدك");
  await expect(page.getByTestId("pay-button")).toContainText("ادفع");
  await expectReady(page);
  await expectBanner(page, stack, /لا أموال حقيقية/);
  // Laid out right to left: the heading starts at the card's right edge.
  expect(await page.getByRole("heading", { level: 1 }).evaluate((h) => getComputedStyle(h).direction)).toBe("rtl");
  const card = await page.locator("main.card").boundingBox();
  const heading = await page.getByRole("heading", { level: 1 }).evaluate((h) => {
    const range = document.createRange();
    range.selectNodeContents(h);
    const r = range.getBoundingClientRect();
    return { left: r.left, right: r.right };
  });
  expect(card).not.toBeNull();
  expect(card!.x + card!.width - heading.right).toBeLessThan(heading.left - card!.x);
  await snap(page, testInfo, "checkout-ar");
  expect(errors).toEqual([]);
});

test.describe("a browser that asks for Spanish", () => {
  test.use({ locale: "es-ES" });

  test("gets the checkout in Spanish without any lang in the link", async ({ page, userId }) => {
    await page.goto(`/?id=${userId}`);
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Recargar su saldo");
    await expect(page.getByTestId("language-select")).toHaveValue("es");
    await expectReady(page);
    // ?lang= comes before the browser's choice.
    await page.goto(`/?id=${userId}&lang=pl`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Doładuj saldo konta");
  });
});

test("the language switcher keeps the account and changes the language", async ({ page, userId }) => {
  await page.goto(`/?id=${userId}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add money to your balance");
  await expectReady(page);
  await page.getByTestId("language-select").selectOption("fr");
  await page.waitForURL((url) => url.searchParams.get("lang") === "fr" && url.searchParams.get("id") === String(userId));
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Recharger votre solde");
  await expect(page.getByTestId("account")).toContainText("E*** M***");
  await expectReady(page);
});

test("error pages are in the payer's language, and their switcher works without scripts", async ({ page, stack }) => {
  const response = await page.goto("/?id=abc&lang=ru");
  expect(response?.status()).toBe(400);
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ссылка для оплаты неполная");
  await expect(page.getByText("Ошибка 400")).toBeVisible();
  await expectBanner(page, stack, /без настоящих денег/);
  await page.getByTestId("language-select").selectOption("he");
  await page.getByTestId("language-switcher").getByRole("button").click();
  await page.waitForURL((url) => url.searchParams.get("lang") === "he" && url.searchParams.get("id") === "abc");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("קישור התשלום הזה אינו שלם");

  const notFound = await page.goto("/no-such-page?lang=ja");
  expect(notFound?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("このページは存在しません");
});

test("the dealer console stays in English", async ({ page }) => {
  const response = await page.goto("/admin/login?lang=de");
  // The console may be switched off in this configuration (404); either way the page is English.
  expect([200, 404]).toContain(response?.status());
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByTestId("language-switcher")).toHaveCount(0);
});

test("automatic top-up in German: the mandate agreed in German is accepted, and the manage page speaks German", async ({ page, stack, navixy, userId }, testInfo) => {
  test.skip(!stack.sandbox, "automatic top-up runs in the sandbox configuration");
  await page.goto(`/?id=${userId}&lang=de`);
  await expectReady(page);
  await page.getByTestId("amount-presets").getByRole("button", { name: money(2500, "de"), exact: true }).click();
  await page.getByTestId("autotopup-checkbox").check();
  await expect(page.getByTestId("autotopup-label")).toHaveText(
    `Automatisch aufladen: ${money(2500, "de")} hinzufügen, wenn mein Guthaben unter ${money(1000, "de")} fällt, höchstens ${money(10_000, "de")} pro Monat`,
  );
  // The dealer by name (the Navixy emulator's service title).
  await expect(page.getByTestId("autotopup-mandate")).toContainText("Ich ermächtige Navixy emulator,");
  await page.getByTestId("autotopup-amount").fill("abc");
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("autotopup-error")).toHaveText(
    "Geben Sie jeden Betrag für das automatische Aufladen als Zahl ein, zum Beispiel 25 oder 12,50.",
  );
  await page.getByTestId("autotopup-amount").fill("20,00");
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "checkout-autotopup-de");
  await pressPay(page);

  await page.waitForURL(/\/payment\/complete\?.*lang=de/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  const link = page.getByTestId("autotopup-manage-link");
  await expect(link).toHaveText("Automatisches Aufladen verwalten");
  expect(await link.getAttribute("href")).toMatch(/\/topup\/manage\/[^?]+\?lang=de$/);
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([2500]);

  await link.click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Automatisches Aufladen");
  await expect(page.getByTestId("autotopup-terms")).toContainText(money(2000, "de"));
  await expect(page.getByTestId("autotopup-mandate")).toContainText("Ich ermächtige Navixy emulator,");
  await page.getByTestId("autotopup-turn-off").click();
  await expect(page).toHaveURL(/\?lang=de&done=off$/);
  await expect(page.getByTestId("autotopup-notice")).toHaveText("Das automatische Aufladen ist ausgeschaltet. Ihre Karte wird nicht mehr belastet.");
  await expect(page.getByTestId("autotopup-state")).toHaveText("Aus: Sie haben es ausgeschaltet");
  await snap(page, testInfo, "manage-page-de");
});
