// `npm run demo` as a newcomer runs it: a real process (CI=true, no standard input) on free ports, with its ledger in
// the browser tests' temp folder. What it prints is what a newcomer follows: the checkout, the dealer console with
// the password generated for this run (printed once, by the launcher, never by the app), and a second dealer hosted
// on the same deployment with its own Stripe emulator account and Navixy users, whose page /d/<slug>/ takes a
// payment that lands on its own Navixy balance. Runs once, in the sandbox project (it starts its own app).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Page } from "@playwright/test";
import { test, expect, cents } from "./support/fixtures";
import { CARDS, CREDIT_TIMEOUT_MS } from "./support/checkout";
import { E2E_TMP, ROOT } from "./support/env";
import { expectNoAxeViolations } from "./support/axe";

test.describe.configure({ mode: "serial" });

interface Demo {
  child: ChildProcess;
  output: () => string;
  port: number;
  base: string;
}

let demo: Demo | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "0.0.0.0", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `npm run demo` and waits for its welcome ("Press Ctrl-C to stop."). */
async function startDemo(): Promise<Demo> {
  const [port, stripePort, navixyPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = path.join(E2E_TMP, "demo");
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NEXT_TELEMETRY_DISABLED: "1" };
  // What a newcomer's shell has: none of the app's settings (the stacks' own go to their children only).
  delete env.ADMIN_PASSWORD;
  delete env.SECRETS_KEY;
  const child = spawn("npm", ["run", "demo", "--", "--port", String(port), "--stripe-port", String(stripePort), "--navixy-port", String(navixyPort), "--data", dataDir], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: stopped as a whole below, as Ctrl-C in a terminal would
  });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const started = Date.now();
  while (!text.includes("Press Ctrl-C to stop.")) {
    if (child.exitCode !== null) throw new Error(`npm run demo exited with ${child.exitCode}:\n${text}`);
    if (Date.now() - started > 240_000) throw new Error(`npm run demo did not start within 240 s:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => text, port, base: `http://localhost:${port}` };
}

/** Ctrl-C: SIGINT to the launcher's process group (npm and the launcher under it), as a terminal sends it. */
async function stopDemo(d: Demo): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => d.child.once("exit", () => resolve()));
  process.kill(-d.child.pid!, "SIGINT");
  const timer = setTimeout(() => {
    try {
      process.kill(-d.child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function line(output: string, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(output);
  if (!m) throw new Error(`The demo's output has no line matching ${pattern}:\n${output}`);
  return m;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

test.beforeAll(async ({}, testInfo) => {
  if (testInfo.project.name !== "sandbox") return;
  testInfo.setTimeout(300_000);
  demo = await startDemo();
});

test.afterAll(async () => {
  if (demo) {
    await stopDemo(demo);
    // Nothing it started is left: the app's port is free again.
    await expect.poll(() => portFree(demo!.port), { timeout: 15_000 }).toBe(true);
    expect(demo.output()).toContain("Stopping the sandbox");
  }
});

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== "sandbox", "the demo starts its own app; once is enough");
});

test("the demo turns the console on: its URL beside the checkout's, a password printed once, never by the app", async ({ page }) => {
  const d = demo!;
  const out = d.output();
  const pay = line(out, /Pay:\s+(http:\/\/\S+\/\?id=\d+)/)[1]!;
  const consoleUrl = line(out, /Console:\s+(http:\/\/\S+\/admin)\b/)[1]!;
  const password = line(out, /Password:\s+(\S+)/)[1]!;
  expect(new URL(pay).origin).toBe(d.base);
  expect(consoleUrl).toBe(`${d.base}/admin`);
  expect(password.length).toBeGreaterThanOrEqual(16);

  // /admin is the console's sign-in, not the payer's "open Add money again" page.
  const response = await page.goto(consoleUrl);
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/admin\/login/);
  await page.getByLabel("Password").fill("not-the-password-at-all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong password.")).toBeVisible();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();

  // The second dealer is in the console's dealer list.
  await page.goto(`${d.base}/admin/dealers`);
  await expect(page.getByRole("main")).toContainText("Northwind Telematics");

  // The launcher printed it once; the app (its output is in the same stream) never did, signed in or refused.
  expect(occurrences(d.output(), password)).toBe(1);
});

async function payAt(page: Page, checkoutUrl: string): Promise<void> {
  const response = await page.goto(checkoutUrl);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  await page.getByTestId("amount-presets").getByRole("button").first().click();
  await page.getByTestId("sandbox-card-number").fill(CARDS.success);
  await page.getByTestId("sandbox-card-expiry").fill("12 / 34");
  await page.getByTestId("sandbox-card-cvc").fill("123");
  await page.getByTestId("pay-button").click();
  await page.waitForURL(/\/payment\/complete\?/, { timeout: 20_000 });
  await expect(page.getByTestId("payment-status")).toHaveAttribute("data-state", "credited", { timeout: CREDIT_TIMEOUT_MS });
}

test("the demo's second dealer: /d/<slug>/ takes a payment into its own Navixy, with its own Stripe account", async ({ page }) => {
  const d = demo!;
  const out = d.output();
  const [, dealerPay, slug] = line(out, /Northwind Telematics.*\n(?:.*\n)*?\s+Pay:\s+(http:\/\/\S+\/d\/([a-z0-9-]+)\/\?id=\d+)/);
  const [, dealerStripe, dealerNavixy] = line(out, /Northwind Telematics: Stripe emulator (http:\/\/\S+)\s+Navixy emulator (http:\/\/\S+)/);
  const userId = Number(new URL(dealerPay!).searchParams.get("id"));
  const state = async () =>
    (await (await fetch(`${dealerNavixy}/_emulator/state`)).json()) as { users: { id: number; balance: string; transactions: { amount: string }[] }[] };
  const before = (await state()).users.find((u) => u.id === userId)!;

  await page.goto(dealerPay!);
  await expect(page.getByTestId("dealer-brand")).toContainText("Northwind Telematics");
  // The sandbox banner leads to this dealer's overview.
  await expect(page.getByTestId("sandbox-banner").getByRole("link")).toHaveAttribute("href", `/d/${slug}/sandbox`);
  await expect(page.getByTestId("sandbox-card-number")).toBeVisible({ timeout: 20_000 });
  await expectNoAxeViolations(page, "the demo dealer's checkout");
  await payAt(page, dealerPay!);
  expect(page.url()).toContain(`/d/${slug}/payment/complete?`);
  await expectNoAxeViolations(page, "the demo dealer's return page");

  const after = (await state()).users.find((u) => u.id === userId)!;
  const paid = (await (await fetch(`${dealerStripe}/_emulator/state`)).json()) as { paymentIntents: { status: string; metadata: Record<string, string> }[] };
  expect(paid.paymentIntents.filter((pi) => pi.metadata.navixy_user_id === String(userId)).map((pi) => pi.status)).toEqual(["succeeded"]);
  expect(cents(after.balance) - cents(before.balance)).toBeGreaterThan(0);
  expect(after.transactions.length).toBe(before.transactions.length + 1);

  // Its overview: its own Navixy users and ledger.
  await page.goto(`${d.base}/d/${slug}/sandbox`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sandbox: Northwind Telematics");
  await expect(page.getByTestId(`sandbox-pay-${userId}`)).toHaveAttribute("href", `/d/${slug}/?id=${userId}`);
  await expect(page.getByTestId(`sandbox-transactions-${userId}`)).toBeVisible();
  await expect(page.getByTestId("sandbox-user-10001")).toHaveCount(0);
});
