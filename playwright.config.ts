// Browser end-to-end tests (e2e/): the production build (`next build` + `next start`) with the Stripe and
// Navixy emulators, in Chromium, in three configurations, each its own project and server:
//   real     no SANDBOX; the tests route https://js.stripe.com/** to a test double of Stripe.js
//            (lib/sandbox/assets/sandbox-stripe.js) so the page's real @stripe/stripe-js loader runs;
//   sandbox  SANDBOX=1; the app serves its own sandbox Stripe.js and banner;
//   manual   as real, with PAYMENT_CAPTURE=manual: only manual-capture.spec.ts runs there.
// `npx playwright test` builds when needed (see e2e/support/build.ts), starts the stacks
// (e2e/support/stack.ts) and stops them afterwards. See e2e/README.md.
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./e2e/support/browser";
import { ensureProductionBuild } from "./e2e/support/build";
import { STACK_NAMES, appUrl } from "./e2e/support/env";

const CI = !!process.env.CI;
const launchOptions = chromiumLaunchOptions();

// The config is evaluated again in every worker process: build only once, in the runner, before the servers start.
if (!process.env.E2E_BUILD_CHECKED) {
  ensureProductionBuild();
  process.env.E2E_BUILD_CHECKED = "1";
}

export default defineConfig({
  testDir: "./e2e",
  testMatch: /.*\.spec\.ts$/,
  outputDir: "./test-results",
  fullyParallel: true,
  forbidOnly: CI,
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    browserName: "chromium",
    launchOptions,
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: "light",
    viewport: { width: 1280, height: 800 },
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "real", testIgnore: [/sandbox-only\.spec\.ts$/, /manual-capture\.spec\.ts$/], use: { baseURL: appUrl("real") } },
    { name: "sandbox", testIgnore: [/real-only\.spec\.ts$/, /manual-capture\.spec\.ts$/], use: { baseURL: appUrl("sandbox") } },
    { name: "manual", testMatch: /manual-capture\.spec\.ts$/, use: { baseURL: appUrl("manual") } },
  ],
  webServer: STACK_NAMES.map((name) => ({
    name,
    command: `npx tsx e2e/support/stack.ts ${name}`,
    url: `${appUrl(name)}/api/health`,
    reuseExistingServer: !CI,
    timeout: 180_000,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
    stdout: process.env.E2E_SERVER_LOG === "1" ? ("pipe" as const) : ("ignore" as const), // app output: .tmp/e2e/<name>.log
    stderr: "pipe" as const,
  })),
});
