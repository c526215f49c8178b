// The README's pictures of the payer's page: light, dark and right-to-left (Arabic), with the real configuration's
// dealer look. Every run checks that each page is ready and keeps the pictures in test-results; `npm run
// screenshots` (E2E_SCREENSHOTS=1) writes them to docs/screenshots/ as well.
import path from "node:path";
import { test, expect } from "./support/fixtures";
import { ROOT } from "./support/env";

const DOCS = path.join(ROOT, "docs", "screenshots");
const WRITE_DOCS = process.env.E2E_SCREENSHOTS === "1";

const SHOTS = [
  { name: "checkout-light", lang: "en", colorScheme: "light" },
  { name: "checkout-dark", lang: "en", colorScheme: "dark" },
  { name: "checkout-rtl", lang: "ar", colorScheme: "light" },
] as const;

test.use({ viewport: { width: 440, height: 900 }, deviceScaleFactor: 1 });

for (const shot of SHOTS) {
  test(`screenshot: ${shot.name}`, async ({ page, stack }, testInfo) => {
    test.skip(stack.sandbox, "the pictures show the real configuration (a dealer with its own look)");
    await page.emulateMedia({ colorScheme: shot.colorScheme, reducedMotion: "reduce" });
    // A demo account that every run has (Jane Smith), so that the pictures do not change from run to run.
    await page.goto(`/?id=10001&lang=${shot.lang}`);
    await expect(page.locator("html")).toHaveAttribute("dir", shot.lang === "ar" ? "rtl" : "ltr");
    await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId("pay-button")).toBeEnabled();
    await expect.poll(() => page.getByTestId("dealer-logo").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.getByTestId("amount-presets").getByRole("button").nth(1).click();
    await page.mouse.move(0, 0);
    const file = testInfo.outputPath(`${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: "disabled", caret: "hide" });
    if (WRITE_DOCS) await page.screenshot({ path: path.join(DOCS, `${shot.name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
  });
}
