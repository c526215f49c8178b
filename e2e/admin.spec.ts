// The dealer console in the browser: sign-in (and refusal without it), every screen, the actions
// (retry, resolve, refund; capture and release in manual-capture.spec.ts, on the stack that captures by
// hand), the audit log, the CSV download and the webhook button. Real configuration only.
import fs from "node:fs";
import { test, expect, snap } from "./support/fixtures";
import { expectCredit, openPayment, payByApi as pay, refuseNextCredit, signIn } from "./support/console";

test.skip(({ stack }) => stack.sandbox, "the console is the same in both configurations: tested in the real one");

test("without a session: pages send to the login, the export and actions answer 401", async ({ page, stack }) => {
  await page.goto("/admin/payments");
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByLabel("Password")).toBeVisible();
  expect((await page.request.get("/admin/export")).status()).toBe(401);
  const action = await page.request.post("/admin/actions/retry", { form: { movementId: "mv_x" }, headers: { origin: stack.appUrl } });
  expect(action.status()).toBe(401);

  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("flash-error")).toHaveText(/^Wrong (dealer or )?password\.$/); // "dealer or" once a hosted dealer has a login
});

test("sign in, every screen renders, sign out ends the session", async ({ page, stack, userId }, testInfo) => {
  const { paymentId, piId } = await pay(stack, userId, 2500);
  await page.setViewportSize({ width: 1024, height: 768 }); // a tablet in landscape
  await signIn(page);
  await snap(page, testInfo, "overview");
  await expect(page.getByTestId("range-1")).toContainText("Collected");
  await expect(page.getByRole("img", { name: /Amount collected per day/ })).toBeVisible();

  await page.getByRole("link", { name: "Payments", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payments" })).toBeVisible();
  await page.getByLabel("Search").fill(String(userId));
  await page.getByRole("button", { name: "Apply" }).click();
  const row = page.locator(`tr[data-payment-id="${paymentId}"]`);
  await expect(row).toContainText("€25.00");
  await row.getByRole("link", { name: paymentId }).click();
  await expectCredit(page, paymentId, /credited/);
  await expect(page.getByTestId("stripe-link")).toHaveAttribute("href", `https://dashboard.stripe.com/test/payments/${piId}`);
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("payment_intent.succeeded");
  await expect(timeline).toContainText("change_balance");
  await snap(page, testInfo, "payment");

  await page.getByRole("link", { name: /Needs attention/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Needs attention" })).toBeVisible();

  await page.getByRole("link", { name: "Automatic top-up" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Automatic top-up" })).toBeVisible();
  await expect(page.getByRole("search", { name: "Find a rule" })).toBeVisible();

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.locator('tr[data-action="login"]').first()).toBeVisible();

  await page.getByRole("link", { name: "Setup" }).click();
  await expect(page.getByTestId("payment-system-url")).toHaveText(`${stack.appUrl}/?id={id}`);
  await expect(page.getByTestId("webhook-url")).toHaveText(`${stack.appUrl}/api/stripe/webhook`);
  const checks = page.getByTestId("setup-checks");
  for (const id of ["navixy-login", "navixy-currency", "stripe-key", "webhook-secret", "webhook-last"]) {
    await expect(checks.locator(`[data-check="${id}"]`)).toHaveAttribute("data-state", "ok");
  }
  await snap(page, testInfo, "setup");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/admin\/login$/);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/login$/);
});

test("retry a refused credit from the attention list", async ({ page, stack, navixy, userId }) => {
  await refuseNextCredit(navixy, userId);
  const { paymentId } = await pay(stack, userId, 1000);
  await signIn(page);
  await expectCredit(page, paymentId, /needs attention/);
  await page.goto("/admin/attention");
  const item = page.locator(`li[data-payment-id="${paymentId}"]`);
  await expect(item).toContainText("Operation not permitted");
  await item.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("flash-notice")).toContainText("is being sent again");
  await expectCredit(page, paymentId, /credited/);
  expect((await navixy.user(userId)).balance).toBe("10.00");
});

test("resolve a refused credit by hand, with a comment", async ({ page, stack, navixy, userId }) => {
  await refuseNextCredit(navixy, userId);
  const { paymentId } = await pay(stack, userId, 1200);
  await signIn(page);
  await expectCredit(page, paymentId, /needs attention/);
  await page.getByText("Resolve by hand…").click();
  const form = page.locator('form[data-testid^="resolve-"]');
  await form.getByLabel(/No, it is no longer owed/).check();
  await form.getByLabel("Comment (required)").fill("Payer asked us not to credit it");
  await form.getByRole("button", { name: "Mark resolved" }).click();
  await expect(page.getByTestId("flash-notice")).toContainText("marked canceled");
  await expect(page.getByTestId("credit-state")).toHaveText(/canceled/);
  await expect(page.getByTestId("timeline")).toContainText("Payer asked us not to credit it");
  expect((await navixy.user(userId)).balance).toBe("0.00");
});

test("refund part of a payment: Stripe refunds it and the Navixy balance is debited", async ({ page, stack, navixy, userId }) => {
  const { paymentId } = await pay(stack, userId, 5000);
  await signIn(page);
  await expectCredit(page, paymentId, /credited/);
  const form = page.getByTestId("refund-form");
  await form.getByLabel(/Amount in EUR/).fill("12.50");
  await form.getByLabel(/Refund the payer through Stripe/).check();
  await form.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByTestId("flash-notice")).toContainText("€12.50 refunded in total");
  await expect(page.getByTestId("payment-status")).toHaveText(/partially refunded/);
  await expect(page.getByTestId("amount-refunded")).toHaveText("€12.50");
  await expect.poll(async () => (await navixy.user(userId)).balance, { timeout: 30_000 }).toBe("37.50");

  // The audit log names the refund, who made it and what it changed.
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Action").selectOption("payment.");
  await page.getByLabel("Payment, movement or rule id").fill(paymentId);
  await page.getByRole("button", { name: "Apply" }).click();
  const entry = page.locator('tr[data-action="payment.refund"]');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("Operator");
  await expect(entry).toContainText("Refunded: €0.00 → €12.50");
  // The stored values, a click away: "operator:" and the session id prefix (base64url), the amount in cents.
  await expect(entry).toContainText(/operator:[\w-]{8}/);
  await expect(entry).toContainText("amountRefunded0 → 1250");
  await expect(entry.getByRole("link", { name: paymentId })).toBeVisible();
});

test("a refund that Stripe fails later: credited back, listed for a person, marked handled", async ({ page, stack, navixy, userId }) => {
  const { paymentId, piId } = await pay(stack, userId, 2000);
  const stripe = (path: string, form: Record<string, string>) =>
    fetch(`${stack.stripeUrl}${path}`, { method: "POST", headers: { authorization: "Bearer sk_test_emulator" }, body: new URLSearchParams(form) });
  await signIn(page);
  await expectCredit(page, paymentId, /credited/);
  const refund = (await (await stripe("/v1/refunds", { payment_intent: piId })).json()) as { id: string };
  await expect.poll(async () => (await navixy.user(userId)).balance, { timeout: 30_000 }).toBe("0.00");
  expect((await stripe(`/_emulator/refunds/${refund.id}/fail`, { failure_reason: "expired_or_canceled_card" })).status).toBe(200);
  await expect.poll(async () => (await navixy.user(userId)).balance, { timeout: 30_000 }).toBe("20.00");

  const item = page.locator(`li[data-payment-id="${paymentId}"][data-kind="refund_failed"]`);
  await expect(async () => {
    await page.goto("/admin/attention");
    await expect(item).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(item).toContainText("Refund failed at Stripe");
  await expect(item).toContainText("expired_or_canceled_card");
  await expect(item.getByRole("button", { name: "Retry" })).toHaveCount(0); // settled in the ledger: nothing to send
  await item.getByText("Mark handled…").click();
  await item.getByLabel("What was done for the payer (required)").fill("Refunded by bank transfer");
  await item.getByRole("button", { name: "Mark handled" }).click();
  await expect(page.getByTestId("flash-notice")).toContainText("marked applied");
  await expect(page.locator(`li[data-payment-id="${paymentId}"]`)).toHaveCount(0);
  await openPayment(page, paymentId);
  await expect(page.getByTestId("timeline")).toContainText("Refunded by bank transfer");
  expect((await navixy.user(userId)).balance).toBe("20.00");
});

test("export the filtered payments as CSV", async ({ page, stack, userId }) => {
  const { paymentId } = await pay(stack, userId, 1500);
  await signIn(page);
  await page.goto(`/admin/payments?user=${userId}`);
  await expect(page.locator(`tr[data-payment-id="${paymentId}"]`)).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^payments-.*\.csv$/);
  const text = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
  const lines = text.trim().split("\r\n");
  expect(lines[0]).toMatch(/^payment_id,created_at,navixy_user_id,status,credit_state,currency,amount,/);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`${paymentId},`);
  expect(lines[1]).toContain(`,${userId},`);
  expect(lines[1]).toContain(",EUR,15.00,");
});

test("the webhook button creates the endpoint and shows its signing secret once", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/setup");
  await page.getByTestId("create-webhook").click();
  // The first press creates it (201 page with the secret); a second one says it exists already.
  const secret = page.getByTestId("webhook-secret");
  const exists = page.getByTestId("flash-notice");
  await expect(secret.or(exists)).toBeVisible();
  if (await secret.isVisible()) {
    await expect(secret).toHaveText(/^whsec_\w+$/);
    await page.getByRole("link", { name: "Back to Setup" }).click();
    await page.getByTestId("create-webhook").click();
  }
  await expect(page.getByTestId("flash-notice")).toContainText("already has an endpoint");
});
