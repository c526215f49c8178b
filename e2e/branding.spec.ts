// The dealer's look: in the real configuration the Navixy emulator's dealer is "Acme GPS" with the colour theme
// "orange", a logo and a favicon; the sandbox configuration's dealer has none of them (the gateway's own look).
import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { signIn } from "./support/console";
import { contrast, parseHexColor } from "../lib/branding/color";
import { darkPalette, lightPalette } from "../lib/branding/palette";

const ORANGE = parseHexColor("#e8590c")!;

/** "rgb(1, 2, 3)" → "#010203". */
const hexOf = (css: string) =>
  `#${(css.match(/\d+/g) ?? []).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, "0")).join("")}`;

async function payButtonColours(page: Page): Promise<{ bg: string; fg: string }> {
  const button = page.getByTestId("pay-button");
  await expect(button).toBeEnabled({ timeout: 20_000 });
  const [bg, fg] = await button.evaluate((el) => {
    const s = getComputedStyle(el);
    return [s.backgroundColor, s.color];
  });
  return { bg: hexOf(bg!), fg: hexOf(fg!) };
}

async function elementPrimary(page: Page): Promise<string> {
  const root = page.locator('[style*="--sbx-primary"]').first();
  await expect(root).toBeAttached({ timeout: 20_000 });
  return root.evaluate((el) => (el as HTMLElement).style.getPropertyValue("--sbx-primary").trim());
}

test("the dealer's logo, favicon and colour, readable in the light and the dark", async ({ page, stack, userId }) => {
  test.skip(stack.sandbox, "the real configuration's dealer has a look of its own");
  await page.goto(`/?id=${userId}`);
  const logo = page.getByTestId("dealer-logo");
  await expect(logo).toHaveAttribute("alt", "Acme GPS");
  await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /\/brand\/favicon/);

  // Orange on white is 3.4:1: the page darkens it to the nearest readable shade, in the Payment Element too.
  const light = lightPalette(ORANGE);
  expect(light.adjusted).toBe(true);
  const lightButton = await payButtonColours(page);
  expect(lightButton.bg).toBe(light.accent);
  expect(contrast(parseHexColor(lightButton.bg)!, parseHexColor(lightButton.fg)!)).toBeGreaterThanOrEqual(4.5);
  expect(await elementPrimary(page)).toBe(light.accent);

  await page.emulateMedia({ colorScheme: "dark" });
  const dark = darkPalette(ORANGE);
  await expect.poll(async () => (await payButtonColours(page)).bg).toBe(dark.accent);
  const darkButton = await payButtonColours(page);
  expect(contrast(parseHexColor(darkButton.bg)!, parseHexColor(darkButton.fg)!)).toBeGreaterThanOrEqual(4.5);
  await expect.poll(() => elementPrimary(page)).toBe(dark.accent);

  // The images come from our own origin, as images.
  const image = await page.request.get("/brand/logo");
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toBe("image/svg+xml");
  expect((await page.request.get("/brand/favicon")).status()).toBe(200);
});

test("the error pages carry the dealer's logo too", async ({ page, stack }) => {
  test.skip(stack.sandbox, "the real configuration's dealer has a look of its own");
  const response = await page.goto("/?id=99999999");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("dealer-logo")).toHaveAttribute("alt", "Acme GPS");
});

test("the setup page says which colour the page uses, and why", async ({ page, stack }) => {
  test.skip(stack.sandbox, "the real configuration's dealer has a look of its own");
  await signIn(page);
  await page.goto("/admin/setup");
  const report = page.getByTestId("brand-report");
  await expect(report.getByTestId("brand-name")).toHaveText("Acme GPS");
  await expect(report.getByTestId("brand-color")).toContainText(`#e8590c (Navixy): light page ${lightPalette(ORANGE).accent}`);
  await expect(report.getByTestId("brand-note").first()).toContainText("below the 4.5:1 that keeps text readable");
});

test("a dealer without a look: the gateway's own colours and its name from Navixy", async ({ page, stack, userId }) => {
  test.skip(!stack.sandbox, "the sandbox configuration's dealer has no look of its own");
  await page.goto(`/?id=${userId}`);
  await expect(page.getByTestId("dealer-brand")).toHaveText("Navixy emulator");
  await expect(page.getByTestId("dealer-logo")).toHaveCount(0);
  await expect(page.getByTestId("brand-style")).toHaveCount(0);
  expect((await payButtonColours(page)).bg).toBe("#1d5fd1");
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /\/favicon\.svg/);
});
