// A second dealer on the running deployment (multi-dealer hosting), through the real proxy of the production build:
// added with `npm run dealers -- add` (its own Stripe emulator, keys and webhook secret, its own Navixy emulator,
// users and login, its own name, logo and colour), its payer opens /d/<slug>/?id=<user>, sees that dealer's look,
// pays, and is credited in that dealer's Navixy; the environment's dealer ("Acme GPS" in the real configuration) is
// never touched, and nothing the page asks for leaves /d/<slug>/. An unknown slug and a suspended dealer answer 404.
//
// The tests share one dealer (added once per worker) and run in order: the last one suspends it.
import type { Page, Request } from "@playwright/test";
import { test, expect, snap, cents, type NavixyControl, type StripeControl } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS, choosePreset, enterCard, eur, expectBanner, pressPay } from "./support/checkout";
import { addHostedDealer, dealersCli, type HostedDealer } from "./support/dealers";
import { isStackName, readStackInfo, type StackInfo } from "./support/env";
import { parseHexColor } from "../lib/branding/color";
import { lightPalette } from "../lib/branding/palette";

test.describe.configure({ mode: "default" });

const DEALER_NAME = "Borealis Tracking";
const DEALER_COLOR = "#0b6e4f";

/** Navixy users of the hosted dealer; each id is also a user of the environment's dealer, with another name. */
const PAYER = { firstName: "Bo", lastName: "Berg", masked: "B*** B***" };

let dealer: HostedDealer;
let payers: number[] = [];

function freshId(): number {
  return 1_500_000_000 + Math.floor(Math.random() * 400_000_000);
}

/** The same id at the environment's dealer (another person there): a page that asked the wrong Navixy would show them. */
async function createAtDefaultDealer(stack: StackInfo, id: number): Promise<void> {
  const res = await fetch(`${stack.navixyUrl}/_emulator/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ users: [{ id, firstName: "Erika", lastName: "Mustermann", login: `e2e-${id}@example.com`, balance: "0.00" }] }),
  });
  if (!res.ok) throw new Error(`Navixy emulator: ${res.status} ${await res.text()}`);
}

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(120_000);
  const name = testInfo.project.name;
  if (!isStackName(name)) throw new Error(`Unknown project ${name}`);
  const stack = readStackInfo(name);
  payers = [freshId(), freshId(), freshId()];
  for (const id of payers) await createAtDefaultDealer(stack, id);
  dealer = await addHostedDealer(stack, {
    name: DEALER_NAME,
    color: DEALER_COLOR,
    users: payers.map((id) => ({ id, firstName: PAYER.firstName, lastName: PAYER.lastName })),
  });
});

test.afterAll(async () => {
  await dealer?.close();
});

/**
 * In the real configuration the Stripe.js double talks to the Stripe emulator named in the page: on the dealer's
 * pages, the dealer's own (as Stripe.js reaches the account of the publishable key it is given). In sandbox mode the
 * app's own Stripe.js forwards to the dealer's emulator itself.
 */
async function useDealersStripe(page: Page, stack: StackInfo): Promise<void> {
  if (stack.sandbox) return;
  await page.addInitScript(
    ({ base, api }) => {
      // The checkout is /d/<slug>/ (the Payment system URL); its other pages /d/<slug>/<page>.
      const path = window.location.pathname;
      if (path === base || path.startsWith(`${base}/`)) (window as unknown as { __SANDBOX_STRIPE_API__?: string }).__SANDBOX_STRIPE_API__ = api;
    },
    { base: dealer.base, api: dealer.stripe.url },
  );
}

/** Every request the page makes, for the "nothing leaves /d/<slug>/" assertions. */
function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on("request", (r) => seen.push(r));
  return seen;
}

/** The app's paths the page asked for that are neither the dealer's (/d/<slug>...) nor the build's static files. */
function straysFromDealer(requests: Request[], stack: StackInfo): string[] {
  const app = new URL(stack.appUrl).origin;
  return requests
    .map((r) => new URL(r.url()))
    .filter((u) => u.origin === app)
    .filter((u) => u.pathname !== dealer.base && !u.pathname.startsWith(`${dealer.base}/`) && !u.pathname.startsWith("/_next/static/"))
    .map((u) => `${u.pathname}${u.search}`);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The dealer's checkout for a user: /d/<slug>/?id=... (the language switcher and "Try again" links lead there too). */
const dealerCheckoutUrl = (stack: StackInfo, userId: number) => new RegExp(`^${escapeRe(`${stack.appUrl}${dealer.base}`)}/?\\?id=${userId}(&|$)`);

async function openDealerCheckout(page: Page, stack: StackInfo, userId: number): Promise<void> {
  const response = await page.goto(`${dealer.base}/?id=${userId}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("checkout-form")).toBeVisible();
  // The dealer's Navixy user, not the environment's user of the same id (Erika Mustermann there).
  await expect(page.getByTestId("account")).toContainText(PAYER.masked);
  await expect(page.getByTestId("payment-skeleton")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("stripe-load-error")).toHaveCount(0);
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible();
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  await expectBanner(page, stack);
}

async function expectNothingAtDefaultDealer(navixy: NavixyControl, stripeEmulator: StripeControl, userId: number): Promise<void> {
  expect(await navixy.credits(userId)).toEqual([]);
  expect(await navixy.balanceCents(userId)).toBe(0);
  expect(await stripeEmulator.paymentIntentsFor(userId)).toEqual([]);
}

test("a hosted dealer's page: its look, its Stripe and its Navixy; the payment is credited there and nowhere else", async ({
  page,
  stack,
  navixy,
  stripeEmulator,
}, testInfo) => {
  const userId = payers[0]!;
  expect(dealer.added).toContain(`${dealer.slug} (${DEALER_NAME}): active`);
  const requests = recordRequests(page);
  await useDealersStripe(page, stack);
  await openDealerCheckout(page, stack, userId);

  // Its name, logo and favicon, from its own addresses; nothing of the environment's dealer ("Acme GPS").
  const logo = page.getByTestId("dealer-logo");
  await expect(logo).toHaveAttribute("alt", DEALER_NAME);
  await expect(logo).toHaveAttribute("src", `${dealer.base}/brand/logo`);
  await expect.poll(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  expect(await (await page.request.get(`${dealer.base}/brand/logo`)).text()).toBe(dealer.logoSvg);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", `${dealer.base}/brand/favicon`);
  await expect(page.getByText("Acme GPS")).toHaveCount(0);
  // Its colour on the pay button (made readable on a light page, lib/branding/palette.ts).
  const accent = lightPalette(parseHexColor(DEALER_COLOR)!).accent;
  expect(await page.getByTestId("brand-style").evaluate((el) => el.textContent)).toContain(`--accent:${accent}`);
  const background = await page.getByTestId("pay-button").evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).toBe(`rgb(${[1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16)).join(", ")})`);
  // Its own amounts (PAYMENT_AMOUNT_PRESETS=15,30,60).
  await expect(page.getByTestId("amount-presets").getByRole("button")).toHaveText([eur(1500), eur(3000), eur(6000)]);

  await choosePreset(page, 3000);
  await enterCard(page, CARDS.success);
  await snap(page, testInfo, "dealer-checkout");
  await pressPay(page);

  // Stripe returns the payer to the dealer's return page, which follows the payment to "credited".
  await page.waitForURL(new RegExp(`^${escapeRe(`${stack.appUrl}${dealer.base}/payment/complete?`)}`), { timeout: 20_000 });
  const status = page.getByTestId("payment-status");
  await expect(status).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
  await expect(page.getByTestId("payment-message")).toHaveText(`${eur(3000)} has been added to your balance.`);
  await expect(page.getByTestId("dealer-logo")).toHaveAttribute("alt", DEALER_NAME);
  await snap(page, testInfo, "dealer-return-page");

  // Paid in the dealer's Stripe account, credited once in the dealer's Navixy, with the PaymentIntent in its text.
  const intents = dealer.stripe.paymentIntents().filter((pi) => pi.metadata?.navixy_user_id === String(userId));
  expect(intents.map((pi) => [pi.amount, pi.currency, pi.status])).toEqual([[3000, "eur", "succeeded"]]);
  const piId = intents[0]!.id;
  const credits = dealer.navixy.user(userId)!.transactions.filter((t) => t.type === "balance");
  expect(credits.map((c) => cents(c.amount))).toEqual([3000]);
  expect(credits[0]!.text).toContain(piId);
  expect(dealer.navixy.balanceCents(userId)).toBe(3000);
  // The environment's dealer: not asked to credit, no PaymentIntent, its user of the same id untouched.
  await expectNothingAtDefaultDealer(navixy, stripeEmulator, userId);

  // The PaymentIntent's events went to the dealer's own endpoint, signed with its own secret (the app verifies the
  // signature with that dealer's secret: anything else is refused with 400), and were taken.
  await dealer.stripe.flushDeliveries();
  const events = new Set(dealer.stripe.events().filter((e) => (e.data.object as { id?: string }).id === piId).map((e) => e.id));
  const deliveries = dealer.stripe.deliveries().filter((d) => events.has(d.eventId));
  expect(deliveries.map((d) => d.eventType)).toContain("payment_intent.succeeded");
  expect([...new Set(deliveries.map((d) => `${d.url} ${d.status}`))]).toEqual([`${dealer.webhookUrl} 200`]);
  expect(dealer.stripe.webhookEndpoints()).toEqual([expect.objectContaining({ url: dealer.webhookUrl, secret: dealer.webhookSecret })]);

  // Every request of the pages stayed under /d/<slug>/ (or the build's static files); the dealer's API was used,
  // the environment's never; the browser's Stripe calls went to the dealer's Stripe only.
  const paths = requests.map((r) => new URL(r.url()).pathname);
  expect(paths).toContain(`${dealer.base}/api/payments`);
  expect(straysFromDealer(requests, stack)).toEqual([]);
  expect(requests.filter((r) => r.url().startsWith(stack.stripeUrl)).map((r) => r.url())).toEqual([]);
  if (!stack.sandbox) expect(requests.some((r) => r.url().startsWith(`${dealer.stripe.url}/v1/payment_intents/${piId}/confirm`))).toBe(true);
});

test("a refused payment's return page sends the payer back to the dealer's own checkout", async ({ page, stack, navixy, stripeEmulator }, testInfo) => {
  const userId = payers[1]!;
  const requests = recordRequests(page);
  await useDealersStripe(page, stack);
  await openDealerCheckout(page, stack, userId);
  await choosePreset(page, 1500);
  await enterCard(page, CARDS.declined);
  await pressPay(page);
  // Refused: the payer stays on the dealer's checkout.
  await expect(page.getByTestId("form-error")).toContainText(/declined/i, { timeout: 20_000 });
  await expect(page).toHaveURL(dealerCheckoutUrl(stack, userId));
  const [intent] = dealer.stripe.paymentIntents().filter((pi) => pi.metadata?.navixy_user_id === String(userId));
  expect(intent?.status).toBe("requires_payment_method");

  // Its return page (as Stripe would send the payer there) says failed and offers "Try again" on this dealer's page.
  const returned = await page.goto(`${dealer.base}/payment/complete?payment_intent=${intent!.id}`);
  expect(returned?.status()).toBe(200);
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "failed");
  const retry = page.getByTestId("retry-link");
  await expect(retry).toHaveAttribute("href", new RegExp(`^${escapeRe(`${dealer.base}/?id=${userId}`)}(&|$)`));
  await snap(page, testInfo, "dealer-return-page-failed");
  await retry.click();
  await expect(page).toHaveURL(dealerCheckoutUrl(stack, userId));
  await expect(page.getByTestId("account")).toContainText(PAYER.masked);
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  expect(straysFromDealer(requests, stack)).toEqual([]);

  // The environment's return page does not know the dealer's PaymentIntent.
  await page.goto(`/payment/complete?payment_intent=${intent!.id}`);
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "not_found");

  expect(dealer.navixy.balanceCents(userId)).toBe(0);
  await expectNothingAtDefaultDealer(navixy, stripeEmulator, userId);
});

test("the Payment system URL printed for the dealer answers 200 with its checkout at once; a malformed address answers 404", async ({ page, stack }) => {
  const userId = payers[2]!;
  // What `npm run dealers -- add` and `list` print for the Navixy Admin Panel, with Navixy's {id} filled in.
  const printed = `${stack.appUrl}${dealer.base}/?id={id}`;
  expect(dealer.added).toContain(`payment system URL (Navixy Admin Panel): ${printed}`);
  const listed = await dealersCli(stack, ["list"]);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout.split("\n").find((line) => line.startsWith(`${dealer.slug}\t`))).toContain(`\t${printed}\t`);
  for (const url of [printed.replace("{id}", String(userId)), `${printed.replace("{id}", String(userId))}&lang=de`]) {
    const res = await page.request.get(url, { maxRedirects: 0 });
    expect(res.status(), `${url} -> ${res.headers().location ?? ""}`).toBe(200);
    expect(await res.text()).toContain(`<bdi>${PAYER.masked}</bdi>`);
  }
  // Its other paths with a trailing slash are redirected as before, inside the dealer's addresses.
  const complete = await page.request.get(`${dealer.base}/payment/complete/?payment_intent=pi_x`, { maxRedirects: 0 });
  expect(complete.status()).toBe(308);
  expect(complete.headers().location).toBe(`${dealer.base}/payment/complete?payment_intent=pi_x`);
  const admin = await page.request.get("/admin/", { maxRedirects: 0 });
  expect(admin.status()).toBe(308);
  expect(admin.headers().location).toBe("/admin");

  // A malformed percent-escape where the slug goes names no dealer: 404, never a 500.
  for (const path of [`/d/%E0%A4%A/?id=${userId}`, `/d/${dealer.slug}%zz/?id=${userId}`, "/d/%/", "/d/%/api/payments"]) {
    const res = await page.request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(404);
  }
  expect((await page.request.post("/d/%E0%A4%A/api/payments", { data: { userId, amount: 1500 }, maxRedirects: 0 })).status()).toBe(404);
  // Nor elsewhere: a malformed escape in any other address is a 400 (Next.js answered 500 reading its parameters).
  expect((await page.request.get("/topup/manage/%E0%A4%A", { maxRedirects: 0 })).status()).toBe(400);
  expect((await page.request.post("/topup/manage/%E0%A4%A", { form: { token: "x", action: "off" }, maxRedirects: 0 })).status()).toBe(400);
  expect((await page.request.get(`${dealer.base}/topup/manage/%E0%A4%A`, { maxRedirects: 0 })).status()).toBe(400);
  const hook = await page.request.post("/api/stripe/webhook/%E0%A4%A", { data: "{}", headers: { "stripe-signature": "t=1,v1=00" }, maxRedirects: 0 });
  expect(hook.status()).toBe(400);
  expect((await hook.json()).error.code).toBe("invalid_path");
  // The dealer's own webhook address still reaches its route (which wants a signature).
  expect((await page.request.post(`/api/stripe/webhook/${dealer.slug}`, { data: "{}", maxRedirects: 0 })).status()).toBe(400);
});

test("an unknown dealer's address and a suspended dealer's page show the not-found page with 404", async ({ page, stack }, testInfo) => {
  testInfo.setTimeout(120_000);
  const userId = payers[2]!;

  const unknown = await page.goto(`/d/no-such-dealer-${dealer.slug.slice(4)}/?id=${userId}`);
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Account not available");
  await expect(page.getByTestId("dealer-logo")).toHaveCount(0);
  await snap(page, testInfo, "unknown-dealer");
  expect((await page.request.post(`/d/no-such-dealer-${dealer.slug.slice(4)}/api/payments`, { data: { userId, amount: 1500 } })).status()).toBe(404);

  // Live until suspended. Its own error pages (a bad link) keep its logo and language switcher under /d/<slug>.
  const badLink = await page.goto(`${dealer.base}/?id=abc`);
  expect(badLink?.status()).toBe(400);
  await expect(page.getByTestId("dealer-logo")).toHaveAttribute("src", `${dealer.base}/brand/logo`);
  await expect(page.getByTestId("dealer-logo")).toHaveAttribute("alt", DEALER_NAME);
  await expect(page.getByTestId("language-switcher")).toHaveAttribute("action", `${dealer.base}/`);
  await useDealersStripe(page, stack);
  await openDealerCheckout(page, stack, userId);
  const suspended = await dealersCli(stack, ["suspend", dealer.slug, "e2e: contract ended"]);
  expect(suspended.code, suspended.stderr).toBe(0);
  expect(suspended.stdout).toContain(`${dealer.slug}: suspended`);

  const response = await page.goto(`${dealer.base}/?id=${userId}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Account not available");
  await expect(page.getByText(DEALER_NAME)).toHaveCount(0);
  await snap(page, testInfo, "suspended-dealer");
  expect((await page.request.post(`${dealer.base}/api/payments`, { data: { userId, amount: 1500 } })).status()).toBe(404);
  expect(dealer.stripe.paymentIntents().filter((pi) => pi.metadata?.navixy_user_id === String(userId))).toEqual([]);
});
