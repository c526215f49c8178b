// WCAG 2.2 AA on every page a payer sees, in every state, in English, Arabic (right to left) and German:
// axe-core finds no violation of the A/AA rules; every target of ours is at least 24×24 CSS px (2.5.8); every
// focus stop shows an outline (2.4.7); the page reflows at 320 CSS px (1.4.10); state changes are announced
// (4.1.3); and a payment can be made with the keyboard alone (2.1.1). Stripe's own content (its iframes, or what
// the Stripe.js test double mounts in their place) is Stripe's to make accessible and is left out of the scans.
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import type { Locator, Page } from "@playwright/test";
import { test, expect, cents } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS } from "./support/checkout";
import { createPaymentByApi } from "./support/console";
import type { StackInfo } from "./support/env";
import en from "../lib/i18n/messages/en.json";
import ar from "../lib/i18n/messages/ar.json";
import de from "../lib/i18n/messages/de.json";

const LANGS = { en, ar, de } as const;
type Lang = keyof typeof LANGS;
type MessageKey = keyof typeof en;
/** A message without placeholders, as the page shows it in that language. */
const say = (lang: Lang, key: MessageKey): string => (LANGS[lang] as Record<string, string>)[key] ?? `(missing ${key})`;

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Stripe's own content: the real Stripe.js renders the Payment Element in iframes named __privateStripeFrame…;
 * the test double (lib/sandbox/assets/sandbox-stripe.js) mounts its card form, `.sbx-pe`
 * (data-testid sandbox-payment-element), inside the Payment Element's mount node instead. Only that is left out:
 * the mount's container, the legend and everything around it are ours and scanned.
 */
const STRIPE_CONTENT = ['iframe[name^="__privateStripeFrame"]', '[data-testid="sandbox-payment-element"]'];

/**
 * axe-core with the WCAG 2.0/2.1/2.2 A and AA rules: no violation, each listed with where it is. Run in the page
 * itself (legacy mode): the only frames are Stripe's, which are excluded, and it takes half the time of the
 * frame-by-frame run with its extra blank page.
 */
async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true);
  for (const selector of STRIPE_CONTENT) builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact ?? "?"}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`,
  );
  expect(found, `axe on ${state} (${page.url()})`).toEqual([]);
}

/**
 * Every target of ours smaller than 24×24 CSS px (WCAG 2.5.8), except links inside running text (the inline
 * exception). A checkbox wrapped in its <label> is as large as the label: a click anywhere on it ticks the box.
 */
async function undersizedTargets(page: Page): Promise<string[]> {
  return page.evaluate((stripeContent: string[]) => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      if (stripeContent.some((s) => el.closest(s))) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none" || el.getClientRects().length === 0) continue;
      if (el.tagName === "A" && style.display === "inline") {
        // A link in a sentence: its block holds more text than the link.
        const block = el.parentElement;
        const rest = (block?.textContent ?? "").replace(el.textContent ?? "", "").trim();
        if (rest.length > 0) continue;
      }
      const input = el as HTMLInputElement;
      const box = (input.type === "checkbox" || input.type === "radio") && el.closest("label") ? el.closest("label")! : el;
      const r = box.getBoundingClientRect();
      if (r.width < 24 || r.height < 24) {
        const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40);
        out.push(`<${el.tagName.toLowerCase()}${el.dataset.testid ? ` data-testid=${el.dataset.testid}` : ""}> "${name}" ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
      }
    }
    return out;
  }, STRIPE_CONTENT);
}

/** A page in one state: no axe violation, no target under 24 px; in the sandbox configuration, with its banner scanned. */
async function expectAccessible(page: Page, stack: StackInfo, state: string): Promise<void> {
  await expect(page.getByTestId("sandbox-banner")).toHaveCount(stack.sandbox ? 1 : 0);
  await expectNoAxeViolations(page, state);
  expect(await undersizedTargets(page), `targets under 24×24 px on ${state}`).toEqual([]);
}

/** The checkout in `lang`, ready to take a card. */
async function openCheckoutIn(page: Page, userId: number, lang: Lang): Promise<void> {
  const response = await page.goto(`/?id=${userId}&lang=${lang}`);
  expect(response?.status()).toBe(200);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible();
  await expect(page.getByTestId("pay-button")).toBeEnabled();
}

async function fillCard(page: Page, number: string): Promise<void> {
  await page.getByTestId("sandbox-card-number").fill(number);
  await page.getByTestId("sandbox-card-expiry").fill("12 / 34");
  await page.getByTestId("sandbox-card-cvc").fill("123");
}

/** Confirms it at the Stripe emulator, as Stripe.js would, with a test PaymentMethod. */
async function confirmPayment(stack: StackInfo, clientSecret: string, paymentMethod: "pm_card_visa" | "pm_card_chargeDeclined"): Promise<void> {
  const piId = clientSecret.split("_secret_")[0]!;
  await fetch(`${stack.stripeUrl}/v1/payment_intents/${piId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer pk_test_emulator", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: clientSecret, payment_method: paymentMethod, return_url: `${stack.appUrl}/payment/complete` }),
  });
}

const returnPath = (p: { paymentId: string; piId: string }, lang: Lang) =>
  `/payment/complete?payment=${p.paymentId}&payment_intent=${p.piId}&lang=${lang}`;

/** Holds the card confirmation (Stripe's API) until `release()`: the checkout stays in its processing state. */
async function holdConfirmation(page: Page): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const pattern = /\/v1\/payment_intents\/[^/]+\/confirm$/;
  await page.route(pattern, async (route) => {
    await released;
    await route.continue();
  });
  // Left in place (unrouting would answer the held request itself); once released it lets every request through.
  return async () => release();
}

// ---------------------------------------------------------------------------------------------- axe, per language

function setRuleState(stack: StackInfo, userId: number, state: string): void {
  const db = new Database(stack.databaseUrl.replace(/^file:/, ""), { timeout: 10_000 });
  try {
    db.prepare(`UPDATE "AutoTopUpRule" SET state = ? WHERE navixyUserId = ?`).run(state, userId);
  } finally {
    db.close();
  }
}

for (const lang of Object.keys(LANGS) as Lang[]) {
  test(`${lang}: the checkout in every state, the return page and the manage page pass axe and 24 px targets`, async ({
    page,
    stack,
    stripeEmulator,
    navixy,
    userId,
  }) => {
    test.setTimeout(150_000);
    await openCheckoutIn(page, userId, lang);
    await expect(page.getByTestId("sandbox-card-number")).toBeVisible();
    await expectAccessible(page, stack, "the checkout, loaded");

    const presets = page.getByTestId("amount-presets").getByRole("button");
    await presets.nth(1).click();
    await expect(presets.nth(1)).toHaveAttribute("aria-pressed", "true");
    await expectAccessible(page, stack, "the checkout, an amount chosen");

    const custom = page.getByTestId("custom-amount");
    await custom.fill("4");
    await custom.blur();
    await expect(page.getByTestId("amount-error")).not.toBeEmpty();
    await expect(custom).toHaveAttribute("aria-invalid", "true");
    await expectAccessible(page, stack, "the checkout, an amount error");

    // Automatic top-up, where it is offered: the opt-in open, then refused with a reason.
    await presets.nth(0).click();
    const optIn = page.getByTestId("autotopup-checkbox");
    const offered = (await optIn.count()) > 0;
    if (offered) {
      await optIn.check();
      await expect(page.getByTestId("autotopup-mandate")).toBeVisible();
      await expectAccessible(page, stack, "the checkout, automatic top-up opted in");
      await page.getByTestId("autotopup-amount").fill("abc");
      await page.getByTestId("pay-button").click();
      await expect(page.getByTestId("autotopup-error")).not.toBeEmpty();
      await expect(page.getByTestId("form-error")).toBeVisible();
      await expectAccessible(page, stack, "the checkout, automatic top-up refused");
      await page.getByTestId("autotopup-amount").fill("20");
      await expect(page.getByTestId("autotopup-mandate")).toBeVisible();
    }

    // A declined card (amount: the first preset).
    await fillCard(page, CARDS.declined);
    await page.getByTestId("pay-button").click();
    await expect(page.getByTestId("form-error")).toContainText(say(lang, "decline.card_declined"), { timeout: 20_000 });
    await expect(page.getByTestId("pay-button")).toBeEnabled();
    await expectAccessible(page, stack, "the checkout, card declined");
    const declined = (await stripeEmulator.paymentIntentsFor(userId)).find((pi) => pi.status === "requires_payment_method");
    expect(declined, "the declined PaymentIntent").toBeDefined();

    // Processing: another amount (a new payment), the card confirmation held until the scan is done.
    await presets.nth(1).click();
    await fillCard(page, CARDS.success);
    const release = await holdConfirmation(page);
    await page.getByTestId("pay-button").click();
    await expect(page.getByTestId("pay-button")).toBeDisabled();
    await expect(page.getByRole("status").filter({ hasText: say(lang, "checkout.processingStatus") })).toHaveCount(1);
    await expectAccessible(page, stack, "the checkout, processing");
    await release();

    // The return page, credited (with the automatic top-up manage link where it was set up).
    await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
    await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
    await expectAccessible(page, stack, "the return page, credited");
    const manageLink = page.getByTestId("autotopup-manage-link");
    const manageHref = offered ? await manageLink.getAttribute("href") : null;

    // The return page of the declined payment: failed, with "Try again".
    await page.goto(`/payment/complete?payment_intent=${declined!.id}&lang=${lang}`);
    await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "failed");
    await expect(page.getByTestId("retry-link")).toBeVisible();
    await expectAccessible(page, stack, "the return page, failed");

    expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([cents("25.00")]);

    // The automatic top-up manage page, then turned off.
    if (manageHref) {
      await page.goto(manageHref.includes("lang=") ? manageHref : `${manageHref}${manageHref.includes("?") ? "&" : "?"}lang=${lang}`);
      await expect(page.getByTestId("autotopup-manage")).toBeVisible();
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      await page.locator("details summary").click(); // the mandate, shown
      await expectAccessible(page, stack, "the manage page");
      if (lang === "en") {
        await page.emulateMedia({ colorScheme: "dark" });
        await expectAccessible(page, stack, "the manage page, dark");
        await page.emulateMedia({ colorScheme: "light" });
      }
      // The bank asks for a confirmation (the scheduler's pause, set in the stack's database): the page's button.
      setRuleState(stack, userId, "paused_authentication_required");
      await page.reload();
      await expect(page.getByTestId("autotopup-confirm-link")).toBeVisible();
      await expectAccessible(page, stack, "the manage page, the bank asks to confirm");
      await page.getByTestId("autotopup-turn-off").click();
      await expect(page.getByTestId("autotopup-notice")).toBeVisible();
      await expectAccessible(page, stack, "the manage page, turned off");
    }
  });

  test(`${lang}: the return page while it waits, and after it updated itself, passes axe`, async ({ page, stack, userId }) => {
    const payment = await createPaymentByApi(stack, userId, 1500);
    await page.goto(returnPath(payment, lang));
    const status = page.getByTestId("payment-status");
    await expect(status).toHaveAttribute("data-state", "awaiting_payment");
    await expectAccessible(page, stack, "the return page, waiting for the payment");

    await confirmPayment(stack, payment.clientSecret, "pm_card_visa");
    await expect(status).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
    await expectAccessible(page, stack, "the return page, credited after polling");
  });

  test(`${lang}: the error pages pass axe and 24 px targets`, async ({ page, stack, navixy }) => {
    const unavailable = await navixy.createUser();
    await navixy.addFault({ method: "panel/user/read", userId: unavailable, always: true, action: { type: "error", code: 1 } });
    const forged = "atr_0123456789abcdefghjkmnpqrs.0.4102444800.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for (const [path, status] of [
      [`/?id=abc&lang=${lang}`, 400], // an invalid id
      [`/?id=1999999999&lang=${lang}`, 404], // an unknown user
      [`/?id=${unavailable}&lang=${lang}`, 503], // Navixy does not answer
      [`/no-such-page?lang=${lang}`, 404], // the app's not-found page
      [`/payment/complete?payment_intent=pi_doesnotexist123&lang=${lang}`, 200], // a return link of no payment
      [`/topup/manage/${forged}?lang=${lang}`, 403], // a forged manage link
    ] as const) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(status);
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectAccessible(page, stack, `the error page ${path}`);
    }
  });
}

test.describe("Stripe.js cannot be loaded", () => {
  test.use({ stripeJs: "abort" });

  test("the checkout's load error passes axe and 24 px targets", async ({ page, stack, userId }) => {
    test.skip(stack.sandbox, "the sandbox configuration serves its own Stripe.js");
    await page.goto(`/?id=${userId}`);
    await expect(page.getByTestId("stripe-load-error")).toBeVisible();
    await expectAccessible(page, stack, "the checkout, Stripe.js not loaded");
  });
});

test("dark mode: the checkout, the return page and an error page pass axe", async ({ page, stack, userId }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await openCheckoutIn(page, userId, "en");
  await expectAccessible(page, stack, "the checkout, dark");
  const payment = await createPaymentByApi(stack, userId, 1000);
  await confirmPayment(stack, payment.clientSecret, "pm_card_chargeDeclined");
  await page.goto(returnPath(payment, "en"));
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "failed");
  await expectAccessible(page, stack, "the return page, failed, dark");
  await page.goto("/?id=abc");
  await expectAccessible(page, stack, "the error page, dark");
});

test("/sandbox, the page the banner links to, passes axe and says when it stops refreshing", async ({ page, stack }) => {
  test.skip(!stack.sandbox, "/sandbox exists in sandbox mode only");
  await page.goto("/sandbox");
  await expect(page.getByTestId("sandbox-page")).toBeVisible();
  await expectAccessible(page, stack, "/sandbox");
  const toggle = page.getByTestId("sandbox-refresh-toggle");
  await toggle.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Auto-refresh paused." })).toHaveCount(1);
  await toggle.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Refreshes every 2 s." })).toHaveCount(1);
});

// ---------------------------------------------------------------------------------------------- keyboard only

/** Presses `key` until `target` has the focus (at most `max` times). */
async function keyUntilFocused(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab", max = 40): Promise<void> {
  for (let i = 0; i <= max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${String(target)} never got the focus with ${key}`);
}

test("the whole payment with the keyboard alone: amount, card, Pay, credited", async ({ page, stack, navixy, userId }) => {
  expect(await navixy.balanceCents(userId)).toBe(0);
  await openCheckoutIn(page, userId, "en");
  await page.locator("body").evaluate((body) => (body as HTMLElement).focus()); // nothing focused yet: start at the top

  // The amount: Tab to €25.00 and press Space; then Shift+Tab back to €10.00 and Tab forward again.
  const preset25 = page.getByTestId("amount-presets").getByRole("button", { name: "€25.00", exact: true });
  await keyUntilFocused(page, preset25);
  await page.keyboard.press("Space");
  await expect(preset25).toHaveAttribute("aria-pressed", "true");
  const preset10 = page.getByTestId("amount-presets").getByRole("button", { name: "€10.00", exact: true });
  await page.keyboard.press("Shift+Tab");
  await expect(preset10).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(preset25).toBeFocused();
  await expect(page.getByTestId("pay-button")).toHaveText("Pay €25.00");

  // The card, typed into the Payment Element.
  await keyUntilFocused(page, page.getByTestId("sandbox-card-number"));
  await page.keyboard.type("4242424242424242");
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("sandbox-card-expiry")).toBeFocused();
  await page.keyboard.type("1234");
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("sandbox-card-cvc")).toBeFocused();
  await page.keyboard.type("123");
  await expect(page.getByTestId("sandbox-card-number")).toHaveValue(CARDS.success);
  await expect(page.getByTestId("sandbox-card-expiry")).toHaveValue("12 / 34");

  // Pay with Enter.
  const pay = page.getByTestId("pay-button");
  await keyUntilFocused(page, pay);
  await page.keyboard.press("Enter");

  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  await expect(page.getByTestId("payment-message")).toHaveText("€25.00 has been added to your balance.");
  expect((await navixy.credits(userId)).map((c) => cents(c.amount))).toEqual([2500]);
  expect(await navixy.balanceCents(userId)).toBe(2500);
});

// ---------------------------------------------------------------------------------------------- focus visible

/** Tabs through the whole page; every stop of ours must show an outline of at least 2 px (on it or its field). */
async function focusStopsWithoutOutline(page: Page): Promise<{ stops: number; missing: string[] }> {
  await page.locator("body").evaluate((body) => (body as HTMLElement).focus());
  const seen = new Set<string>();
  const missing: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate((stripeContent: string[]) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const key = `${el.tagName}#${el.id}|${el.dataset.testid ?? ""}|${(el.textContent ?? "").trim().slice(0, 30)}|${(el as HTMLInputElement).value ?? ""}`;
      if (stripeContent.some((s) => el.closest(s))) return { key, ok: true, ours: false };
      // A text field draws its focus ring on its frame (.input-wrap), which also holds the currency.
      const ring = (el.closest(".input-wrap") as HTMLElement | null) ?? el;
      const style = getComputedStyle(ring);
      const ok = el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
      return { key, ok, ours: true, outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` };
    }, STRIPE_CONTENT);
    if (!stop) continue;
    if (seen.has(stop.key)) break; // round the page once
    seen.add(stop.key);
    if (!stop.ok) missing.push(`${stop.key} → outline ${stop.outline}`);
  }
  return { stops: seen.size, missing };
}

test("every focus stop shows a visible outline: checkout, return page, error page", async ({ page, stack, userId }) => {
  await openCheckoutIn(page, userId, "en");
  const optIn = page.getByTestId("autotopup-checkbox");
  if ((await optIn.count()) > 0) await optIn.check(); // its fields too
  const checkout = await focusStopsWithoutOutline(page);
  expect(checkout.stops).toBeGreaterThanOrEqual(8);
  expect(checkout.missing).toEqual([]);

  // One element's outline, exactly: the Pay button's 3 px ring in the focus colour (--focus, the dealer's accent
  // where it has one), offset from the button.
  const pay = page.getByTestId("pay-button");
  await keyUntilFocused(page, pay, "Shift+Tab");
  const ring = await pay.evaluate((el) => {
    const s = getComputedStyle(el);
    const probe = document.body.appendChild(document.createElement("span"));
    probe.style.color = "var(--focus)";
    const focusColour = getComputedStyle(probe).color;
    probe.remove();
    return { focusVisible: el.matches(":focus-visible"), style: s.outlineStyle, width: s.outlineWidth, offset: s.outlineOffset, sameColour: s.outlineColor === focusColour };
  });
  expect(ring).toEqual({ focusVisible: true, style: "solid", width: "3px", offset: "2px", sameColour: true });

  const payment = await createPaymentByApi(stack, userId, 1000);
  await confirmPayment(stack, payment.clientSecret, "pm_card_chargeDeclined");
  await page.goto(returnPath(payment, "en"));
  await expect(page.getByTestId("retry-link")).toBeVisible();
  const result = await focusStopsWithoutOutline(page);
  expect(result.stops).toBeGreaterThanOrEqual(2); // the language switcher, "Try again"
  expect(result.missing).toEqual([]);

  await page.goto("/?id=abc");
  const error = await focusStopsWithoutOutline(page);
  expect(error.stops).toBeGreaterThanOrEqual(2); // the language switcher's select and button
  expect(error.missing).toEqual([]);
});

// ---------------------------------------------------------------------------------------------- live regions

test("status changes are announced: form errors, processing, the return page's result as it updates", async ({ page, stack, userId }) => {
  await openCheckoutIn(page, userId, "en");
  // Polite regions that are on the page from the start, so that what appears in them is read out.
  const amountError = page.getByTestId("amount-error");
  await expect(amountError).toHaveAttribute("aria-live", "polite");
  await expect(amountError).toBeEmpty();
  const statuses = page.getByRole("status");
  await expect(statuses.filter({ hasText: "Processing your payment" })).toHaveCount(0);

  const custom = page.getByTestId("custom-amount");
  await custom.fill("4");
  await custom.blur();
  await expect(amountError).toHaveText("The amount must be between €5.00 and €1,000.00.");
  await expect(custom).toHaveAttribute("aria-describedby", new RegExp(`\\b${await amountError.getAttribute("id")}\\b`));

  // A refused card: an alert, and the focus on it.
  await page.getByTestId("amount-presets").getByRole("button", { name: "€10.00", exact: true }).click();
  await fillCard(page, CARDS.declined);
  await page.getByTestId("pay-button").click();
  const alert = page.getByRole("alert").filter({ hasText: "Your card was declined." });
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toBeFocused();

  // Processing: a status message while the payment is on its way.
  await fillCard(page, CARDS.success);
  const release = await holdConfirmation(page);
  await page.getByTestId("pay-button").click();
  const processing = statuses.filter({ hasText: "Processing your payment, please wait." });
  await expect(processing).toHaveCount(1);
  // Nothing around it is marked busy, which would keep screen readers from reading it.
  expect(await processing.evaluate((el) => el.closest('[aria-busy="true"]') === null)).toBe(true);
  await release();

  // The return page: its result is a polite status region, read out again when polling changes it.
  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  await expect(statuses.filter({ hasText: "Money added" })).toContainText("€10.00 has been added to your balance.");

  const waiting = await createPaymentByApi(stack, userId, 1500);
  await page.goto(returnPath(waiting, "en"));
  const result = page.getByRole("status").filter({ has: page.getByRole("heading", { level: 1 }) });
  await expect(result).toHaveAttribute("aria-live", "polite");
  await expect(result).toHaveAttribute("aria-atomic", "true");
  await expect(result).toContainText("Waiting for your payment");
  await expect(result).toContainText("This page updates automatically.");
  await confirmPayment(stack, waiting.clientSecret, "pm_card_visa");
  await expect(result).toContainText("Money added", { timeout: CREDIT_TIMEOUT_MS });
  await expect(result).toContainText("€15.00 has been added to your balance.");
  // The new outcome also gets the focus.
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();

  // The error pages are alerts.
  await page.goto("/?id=abc");
  await expect(page.getByRole("alert")).toContainText("This payment link is incomplete");
});

test("the return page says, in a status message, when it stops checking, and checks again on request", async ({ page, stack, userId }) => {
  await page.clock.install();
  const payment = await createPaymentByApi(stack, userId, 1500);
  await page.goto(returnPath(payment, "en"));
  const progress = page.getByRole("status").filter({ has: page.getByText("Checking for updates…") });
  await expect(progress).toHaveCount(1);
  // Three minutes on, polling gives up (each jump of the clock fires the next poll).
  await expect(async () => {
    await page.clock.fastForward(60_000);
    await expect(page.getByTestId("payment-slow")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  const slow = page.getByRole("status").filter({ has: page.getByTestId("payment-slow") });
  await expect(slow).toContainText("This is taking longer than usual.");
  await expectAccessible(page, stack, "the return page, stopped checking");
  await page.getByRole("button", { name: "Check again" }).press("Enter");
  await expect(progress).toHaveCount(1);
  await expect(page.getByTestId("payment-slow")).toHaveCount(0);
});

// ---------------------------------------------------------------------------------------------- reflow

test.describe("320 CSS px wide", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
    const width = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    expect(width, `${what} is wider than 320 px`).toBeLessThanOrEqual(320);
  }

  for (const lang of ["en", "ar"] as const) {
    test(`${lang}: the checkout and the return page reflow without horizontal scrolling`, async ({ page, stack, userId }) => {
      await openCheckoutIn(page, userId, lang);
      await expectNoHorizontalScroll(page, "the checkout");
      const custom = page.getByTestId("custom-amount");
      await custom.fill("4");
      await custom.blur();
      await expect(page.getByTestId("amount-error")).not.toBeEmpty();
      const optIn = page.getByTestId("autotopup-checkbox");
      if ((await optIn.count()) > 0) await optIn.check();
      await fillCard(page, CARDS.declined);
      await page.getByTestId("amount-presets").getByRole("button").nth(0).click();
      await page.getByTestId("pay-button").click();
      await expect(page.getByTestId("form-error")).toBeVisible({ timeout: 20_000 });
      await expectNoHorizontalScroll(page, "the checkout with its errors and automatic top-up");

      await fillCard(page, CARDS.success);
      await page.getByTestId("pay-button").click();
      await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
      await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
      await expectNoHorizontalScroll(page, "the return page");

      const payment = await createPaymentByApi(stack, userId, 1000);
      await confirmPayment(stack, payment.clientSecret, "pm_card_chargeDeclined");
      await page.goto(returnPath(payment, lang));
      await expect(page.getByTestId("retry-link")).toBeVisible();
      await expectNoHorizontalScroll(page, "the return page of a failed payment");
      await page.goto(`/?id=abc&lang=${lang}`);
      await expectNoHorizontalScroll(page, "an error page");
    });
  }
});

