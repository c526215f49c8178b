// The console of a deployment with hosted dealers, in the browser: the operator adds a dealer through the form,
// gives it a console login and switches to it; the dealer signs in with its slug and sees its own (empty) ledger,
// never the deployment's payments nor the dealer list; a suspension refuses its login. Real configuration only.
import { randomBytes } from "node:crypto";
import { test, expect } from "./support/fixtures";
import { payByApi, signIn } from "./support/console";

test.skip(({ stack }) => stack.sandbox, "the console is the same in both configurations: tested in the real one");

const signOut = async (page: import("@playwright/test").Page) => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
};

test("the operator adds a dealer and its login; the dealer sees only its own console", async ({ page, stack, userId }) => {
  test.setTimeout(120_000);
  const { paymentId } = await payByApi(stack, userId, 1800);
  const slug = `console-${randomBytes(3).toString("hex")}`;
  const name = `Console Dealer ${slug.slice(-6)}`;
  const password = `dealer password ${randomBytes(6).toString("hex")}`;

  await test.step("the operator adds the dealer through the form", async () => {
    await signIn(page);
    await page.getByRole("link", { name: "Dealers" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Dealers" })).toBeVisible();
    const form = page.getByTestId("add-dealer-form");
    await form.getByLabel(/^Slug/).fill(slug);
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("STRIPE_SECRET_KEY").fill("sk_test_console_dealer");
    await form.getByLabel("STRIPE_PUBLISHABLE_KEY").fill("pk_test_console_dealer");
    // Settings missing: refused, naming each, and nothing stored.
    await form.getByRole("button", { name: "Add the dealer" }).click();
    await expect(page.getByTestId("flash-error")).toHaveText(
      `Dealer ${slug}: STRIPE_WEBHOOK_SECRET is missing; NAVIXY_PANEL_LOGIN is missing; NAVIXY_PANEL_PASSWORD is missing`,
    );
    await expect(page.locator(`tr[data-dealer="${slug}"]`)).toHaveCount(0);
    await form.getByLabel(/^Slug/).fill(slug);
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("STRIPE_SECRET_KEY").fill("sk_test_console_dealer");
    await form.getByLabel("STRIPE_PUBLISHABLE_KEY").fill("pk_test_console_dealer");
    await form.getByLabel("STRIPE_WEBHOOK_SECRET").fill("whsec_console_dealer");
    await form.getByLabel("NAVIXY_API_URL").fill(`${stack.navixyUrl}/v2`);
    await form.getByLabel("NAVIXY_PANEL_LOGIN").fill("console-dealer");
    await form.getByLabel("NAVIXY_PANEL_PASSWORD").fill("its navixy password");
    await form.getByText("More settings").click();
    await form.getByLabel("BRAND_NAME").fill(name);
    await form.getByRole("button", { name: "Add the dealer" }).click();
    // Its Stripe key is not one the emulator knows: it stays in setup, and the notice says why.
    await expect(page.getByTestId("flash-notice")).toContainText(`Dealer added. ${name} (${slug}) stays in setup until these pass`);
    const row = page.locator(`tr[data-dealer="${slug}"]`);
    await expect(row).toContainText("setup");
    await expect(row).toContainText(`/d/${slug}/?id={id}`);
    await expect(row).toContainText(`/api/stripe/webhook/${slug}`);
    // Its secrets are never shown again, on the list or on its page.
    await expect(page.locator("body")).not.toContainText("sk_test_console_dealer");
    await row.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
    await expect(page.locator("body")).not.toContainText("its navixy password");
    await expect(page.getByLabel(/STRIPE_SECRET_KEY/)).toHaveValue("");
    await expect(page.getByLabel("NAVIXY_PANEL_LOGIN")).toHaveValue("console-dealer");
  });

  await test.step("the operator gives it a console login", async () => {
    const form = page.getByTestId("console-password-form");
    await form.getByLabel(/^New password/).fill(password);
    await form.getByLabel("The same again").fill(password);
    await form.getByRole("button", { name: "Set the password" }).click();
    await expect(page.getByTestId("flash-notice")).toContainText(`The console password of ${slug} is set`);
    await signOut(page);
  });

  await test.step("the dealer signs in with its slug and sees only its own console", async () => {
    await page.getByLabel("Dealer", { exact: true }).fill(slug);
    await page.getByLabel("Password").fill("not its password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("flash-error")).toHaveText("Wrong dealer or password.");
    await expect(page.getByLabel("Dealer", { exact: true })).toHaveValue(slug);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("console-dealer")).toHaveText(name);
    await expect(page.getByRole("link", { name: "Dealers" })).toHaveCount(0);
    await expect(page.getByTestId("dealer-switcher")).toHaveCount(0);

    await page.getByRole("link", { name: "Payments", exact: true }).click();
    await expect(page.getByTestId("payments-table")).toContainText("No payments match.");
    await page.goto(`/admin/payments/${paymentId}`);
    await expect(page.getByRole("heading", { level: 1, name: /Payment pay_/ })).toHaveCount(0);
    const csv = await (await page.request.get("/admin/export")).text();
    expect(csv).not.toContain(paymentId);
    expect(csv.trim().split("\n")).toHaveLength(1); // the header line only
    expect((await page.request.get("/admin/dealers")).status()).toBe(404);

    await page.goto("/admin/audit");
    // Its own sign-ins and what the operator did to it (added it, set its login): not the deployment's own log.
    const audit = page.getByTestId("audit-table");
    await expect(audit.locator('tr[data-action="login"]').first()).toContainText(`dealer:${slug}:`);
    await expect(audit.locator('tr[data-action="login"]').filter({ hasText: "operator:" })).toHaveCount(0);
    await expect(audit.locator('tr[data-action="dealer.add"]')).toContainText(slug);
    await signOut(page);
  });

  await test.step("the operator switches to the dealer and back", async () => {
    await signIn(page);
    await expect(page.getByTestId("console-dealer")).not.toHaveText(name);
    const switcher = page.getByTestId("dealer-switcher");
    await switcher.getByLabel("Dealer").selectOption({ label: `${name} (setup)` });
    await switcher.getByRole("button", { name: "Switch" }).click();
    await expect(page.getByTestId("flash-notice")).toHaveText(`Now working on ${name}.`);
    await expect(page.getByTestId("console-dealer")).toHaveText(name);
    await page.getByRole("link", { name: "Payments", exact: true }).click();
    await expect(page.getByTestId("payments-table")).toContainText("No payments match.");
    await page.getByTestId("dealer-switcher").getByLabel("Dealer").selectOption("default");
    await page.getByTestId("dealer-switcher").getByRole("button", { name: "Switch" }).click();
    await page.goto(`/admin/payments/${paymentId}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(paymentId);
  });

  await test.step("a suspended dealer's login is refused; removing the login takes the field away again", async () => {
    await page.goto(`/admin/dealers/${slug}`);
    await page.getByText("Suspend…").click();
    const suspend = page.getByTestId(`suspend-${slug}`);
    await suspend.getByLabel(/Stop taking payments/).check();
    await suspend.getByRole("button", { name: "Suspend" }).click();
    await expect(page.getByTestId("flash-notice")).toContainText(`${name} (${slug}) is suspended`);
    await expect(page.getByTestId("dealer-status")).toContainText("suspended");
    await page.getByTestId("console-password-form").getByRole("button", { name: "Remove the login" }).click();
    await expect(page.getByTestId("flash-notice")).toContainText(`The console login of ${slug} is removed`);
    await signOut(page);
    const refused = await page.request.post("/admin/session", { form: { dealer: slug, password }, headers: { origin: stack.appUrl }, maxRedirects: 0 });
    expect(refused.status()).toBe(303);
    expect(refused.headers()["location"]).toMatch(/error=password/);
  });
});
