/**
 * One configuration of the app for the browser tests, with everything it talks to:
 *
 *   npx tsx e2e/support/stack.ts real|sandbox|manual
 *
 * starts the Stripe emulator (webhooks → the app's /api/stripe/webhook, signed with the app's secret) and the
 * Navixy emulator (demo users incl. a sub-user, EUR) on free ports, migrates a fresh SQLite database under
 * .tmp/e2e/, then serves the production build with `next start` on the configuration's fixed port
 * (E2E_REAL_PORT / E2E_SANDBOX_PORT / E2E_MANUAL_PORT). "sandbox" sets SANDBOX=1; "manual" sets
 * PAYMENT_CAPTURE=manual. SECRETS_KEY is set, so tests can add hosted dealers (e2e/dealers.spec.ts, with
 * `npm run dealers` and the variables in the stack file). Writes .tmp/e2e/<name>.json (emulator URLs, the app's
 * variables) for the tests and removes it on SIGINT/SIGTERM. Playwright runs it through `webServer`; run it yourself to
 * keep a stack up between test runs (reuseExistingServer) or to look at the app in a browser.
 */
import fs from "node:fs";
import path from "node:path";
import { startStripeEmulator } from "../../dev/emulators/stripe/server";
import { startNavixyEmulator, DEMO_USERS } from "../../dev/emulators/navixy";
import { freshSqliteDatabase, startNextApp, type AppProcess } from "../../dev/testing/app-process";
import { APP_PORTS, E2E_ADMIN_PASSWORD, E2E_TMP, ROOT, appUrl, isStackName, stackInfoPath, type StackInfo, type StackName } from "./env";

const WEBHOOK_SECRET = "whsec_e2e_browser_tests_secret";
const STRIPE_SECRET_KEY = "sk_test_emulator";
const STRIPE_PUBLISHABLE_KEY = "pk_test_emulator";
/** Seals hosted dealers' secrets (lib/dealers/secret-box.ts): a fixed test key, 32 bytes. */
const SECRETS_KEY = `e2e:${Buffer.alloc(32, 0x2e).toString("base64")}`;

function log(line: string) {
  process.stdout.write(`[stack ${name}] ${line}\n`);
}

const name = process.argv[2] ?? "";
if (!isStackName(name)) {
  console.error("Usage: npx tsx e2e/support/stack.ts real|sandbox|manual");
  process.exit(2);
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("No production build (.next/BUILD_ID is missing): run `npx next build` first (npx playwright test does it).");
  }
  fs.mkdirSync(E2E_TMP, { recursive: true });
  const port = APP_PORTS[name as StackName];
  const url = appUrl(name as StackName);
  const sandbox = name === "sandbox";

  // A fresh ledger for every start.
  const dbFile = path.join(E2E_TMP, `${name}.db`);
  const databaseUrl = freshSqliteDatabase(dbFile);
  log(`database migrated: ${path.relative(ROOT, dbFile)}`);

  const quiet = process.env.E2E_EMULATOR_LOG !== "1";
  const stripe = await startStripeEmulator({
    webhooks: [{ url: `${url}/api/stripe/webhook`, secret: WEBHOOK_SECRET }],
    secretKey: STRIPE_SECRET_KEY,
    publishableKey: STRIPE_PUBLISHABLE_KEY,
    webhookRetryDelaysMs: [200, 500, 1000, 2000],
    ...(quiet ? {} : { log: (l: string) => log(l) }),
  });
  const navixy = await startNavixyEmulator({
    currency: "EUR",
    users: DEMO_USERS,
    // The real configuration has a dealer with a look of its own (e2e/branding.spec.ts); the others keep ours.
    ...(name === "real" ? { brand: { title: "Acme GPS", colorTheme: "orange", logo: "emulator", favicon: "emulator" } } : {}),
    ...(quiet ? {} : { log: (l: string) => log(l) }),
  });
  log(`Stripe emulator ${stripe.url}, Navixy emulator ${navixy.url}`);

  // The app's own variables (also in the stack file: the operator's commands, e.g. `npm run dealers`, need them).
  const appEnv: Record<string, string> = {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: url,
    PORT: String(port),
    STRIPE_SECRET_KEY,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    NAVIXY_CREDIT_METHOD: "panel",
    NAVIXY_TIMEOUT_MS: "2000",
    PAYMENT_MIN_AMOUNT: "5",
    PAYMENT_MAX_AMOUNT: "1000",
    PAYMENT_AMOUNT_PRESETS: "10,25,50,100",
    PAYMENT_CAPTURE: name === "manual" ? "manual" : "automatic",
    WORKER_IN_SERVER: "true",
    WORKER_POLL_INTERVAL_MS: "500",
    CREDIT_RETRY_BASE_MS: "250",
    CREDIT_RETRY_MAX_MS: "2000",
    SANDBOX: sandbox ? "1" : "0",
    NEXT_TELEMETRY_DISABLED: "1",
    // The dealer console; every test signs in from 127.0.0.1, so the login limit is generous here
    // (the limit itself is tested in lib/admin/auth.int.test.ts).
    ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    RATE_LIMIT_ADMIN_LOGIN: "500/15m",
    // All browser traffic shares one client address here; the limits themselves are tested in
    // lib/security/rate-limit.int.test.ts.
    RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m",
    RATE_LIMIT_PAYMENTS_PER_USER: "1000/10m",
    RATE_LIMIT_AUTO_TOP_UP_PER_IP: "1000/10m",
    // Hosted dealers (lib/dealers): their secrets are sealed with it.
    SECRETS_KEY,
    // The dealers' logos and favicons are served by the emulators and test servers on 127.0.0.1, over http: a
    // production gateway refuses both (lib/security/public-fetch.ts, tested in lib/branding/dealer-brand.int.test.ts).
    BRAND_IMAGE_ALLOW_PRIVATE: "1",
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...appEnv };
  // The currency comes from the dealer settings (EUR), as in production; never from the caller's shell.
  delete env.PAYMENT_CURRENCY;

  // The app's output goes to .tmp/e2e/<name>.log (tests provoke errors it logs); E2E_SERVER_LOG=1 shows it live.
  const logPath = path.join(E2E_TMP, `${name}.log`);
  const tail: string[] = [];
  const live = process.env.E2E_SERVER_LOG === "1";
  const printTail = (why: string) => {
    console.error(`[stack ${name}] ${why}; its last lines (all in ${path.relative(ROOT, logPath)}):`);
    for (const line of tail) console.error(`[app ${name}] ${line}`);
  };
  // Stopped while the app is starting: exiting kills it (dev/testing/app-process.ts kills its children on exit).
  const exitEarly = () => process.exit(0);
  process.once("SIGINT", exitEarly).once("SIGTERM", exitEarly);
  let app: AppProcess;
  try {
    app = await startNextApp({
      name: `app ${name}`,
      port,
      env,
      logFile: logPath,
      onLine: (line) => {
        if (!line.trim()) return;
        tail.push(line);
        if (tail.length > 60) tail.shift();
        if (live) process.stdout.write(`[app ${name}] ${line}\n`);
      },
    });
  } catch (error) {
    printTail((error as Error).message);
    await Promise.allSettled([stripe.close(), navixy.close()]);
    process.exit(1);
  }
  process.off("SIGINT", exitEarly).off("SIGTERM", exitEarly);

  const info: StackInfo = {
    name: name as StackName,
    appUrl: url,
    stripeUrl: stripe.url,
    navixyUrl: navixy.url,
    sandbox,
    databaseUrl,
    appEnv,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const infoFile = stackInfoPath(name as StackName);
  fs.writeFileSync(infoFile, JSON.stringify(info, null, 2));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      const current = JSON.parse(fs.readFileSync(infoFile, "utf8")) as StackInfo;
      if (current.pid === process.pid) fs.rmSync(infoFile, { force: true });
    } catch {
      /* already gone */
    }
    await app.stop(5_000);
    await Promise.allSettled([stripe.close(), navixy.close()]);
    process.exit(code);
  };
  app.child.once("exit", (code, signal) => {
    if (!stopping) {
      printTail(`next start exited (${signal ?? `code ${code}`})`);
      void stop(1);
    }
  });
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  log(`app ${url} (SANDBOX=${sandbox ? 1 : 0}), stack described in ${path.relative(ROOT, infoFile)}`);
}

main().catch((error: unknown) => {
  console.error(`[stack ${name}] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
