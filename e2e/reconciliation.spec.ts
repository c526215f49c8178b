// The console's reconciliation in the browser: the calendar, reconciling today now, its totals and differences
// (each linked to its payment), and the books as CSV. Real configuration only.
import fs from "node:fs";
import { test, expect, snap } from "./support/fixtures";
import { expectCredit, payByApi as pay, signIn } from "./support/console";

test.skip(({ stack }) => stack.sandbox, "the console is the same in both configurations: tested in the real one");

test("the calendar, a day reconciled now with its totals and differences, and its books as CSV", async ({ page, stack, userId }, testInfo) => {
  const { paymentId, piId } = await pay(stack, userId, 2500);
  await signIn(page);
  await expectCredit(page, paymentId, /credited/);
  const today = new Date().toISOString().slice(0, 10);

  await page.getByRole("link", { name: "Reconciliation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reconciliation" })).toBeVisible();
  const calendar = page.getByTestId("reconciliation-calendar");
  await expect(calendar.locator(`tr[data-day="${today}"]`)).toHaveAttribute("data-state", /not_ended|balanced|differences/);
  await calendar.getByRole("link", { name: today }).click();

  const day = page.getByTestId("reconciliation-day");
  await day.getByRole("button", { name: /Reconcile (now|again)/ }).click();
  await expect(page.getByTestId("flash-notice")).toContainText(`${today} reconciled:`);
  await expect(page.getByTestId("reconciliation-totals")).toContainText("EUR");
  // Other tests of the stack may have left differences today; each links to its payment.
  for (const link of await page.getByTestId("reconciliation-differences").getByRole("link").all()) {
    await expect(link).toHaveAttribute("href", /^\/admin\/(payments\/pay_|attention)/);
  }
  await snap(page, testInfo, "reconciliation");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: `Books of ${today} (CSV)` }).click()]);
  expect(download.suggestedFilename()).toBe(`books-${today}.csv`);
  const text = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
  const line = text.split("\r\n").find((l) => l.includes(piId))!;
  expect(line).toMatch(new RegExp(`^payment,.*,${paymentId},${piId},${userId},EUR,25\\.00,1\\.03,23\\.97,`));
});
