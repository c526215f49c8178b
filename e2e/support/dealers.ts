// A hosted dealer on a running stack (multi-dealer hosting), added as an operator adds one: its own Stripe account
// (a Stripe emulator of its own, its keys, its webhook endpoint /api/stripe/webhook/<slug> signed with its own
// secret), its own Navixy (an emulator with its own users and login), its own name and colour, stored with
// `npm run dealers -- add` against the stack's database. Its emulators live in the test's worker process.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startStripeEmulator, type StripeEmulator } from "../../dev/emulators/stripe/server";
import { startNavixyEmulator, type NavixyEmulator } from "../../dev/emulators/navixy";
import { ROOT, type StackInfo } from "./env";

export interface HostedDealer {
  slug: string;
  name: string;
  /** BRAND_COLOR */
  color: string;
  /** Its payer's pages: `/d/<slug>` (the checkout is `${base}/?id=...`). */
  base: string;
  webhookUrl: string;
  webhookSecret: string;
  publishableKey: string;
  stripe: StripeEmulator;
  navixy: NavixyEmulator;
  /** Its logo (BRAND_LOGO_URL), an SVG with its name in it. */
  logoSvg: string;
  /** What `npm run dealers -- add` printed. */
  added: string;
  close(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run dealers -- <args>` against the stack's database, with the app's variables (SECRETS_KEY among them). */
export function dealersCli(stack: StackInfo, args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...stack.appEnv, LOG_LEVEL: "warn" };
  delete env.PAYMENT_CURRENCY;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "lib/ops/dealers-cli.ts", ...args],
      { cwd: ROOT, env, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Starts the dealer's Stripe and Navixy emulators, then adds it. `users` are its Navixy users (ids may also exist
 * at the environment's dealer: a dealer's page must ask its own Navixy).
 */
export async function addHostedDealer(
  stack: StackInfo,
  opts: { name: string; color: string; users: { id: number; firstName: string; lastName: string }[]; presets?: string },
): Promise<HostedDealer> {
  const tag = randomBytes(4).toString("hex");
  const slug = `e2e-${tag}`;
  const webhookUrl = `${stack.appUrl}/api/stripe/webhook/${slug}`;
  const keys = { secret: `sk_test_dealer_${tag}`, publishable: `pk_test_dealer_${tag}`, webhookSecret: `whsec_dealer_${tag}_signing_secret` };
  const stripe = await startStripeEmulator({
    secretKey: keys.secret,
    publishableKey: keys.publishable,
    webhooks: [{ url: webhookUrl, secret: keys.webhookSecret }],
    webhookRetryDelaysMs: [200, 500, 1000, 2000],
  });
  const navixy = await startNavixyEmulator({
    currency: "EUR",
    login: `dealer-${tag}`,
    password: `navixy-password-${tag}`,
    users: opts.users.map((u) => ({ ...u, balance: "0.00", login: `${u.firstName.toLowerCase()}-${u.id}@example.com` })),
    // A title and favicon in Navixy; its name, logo and colour from BRAND_NAME, BRAND_LOGO_URL and BRAND_COLOR below.
    brand: { title: "Navixy title the dealer overrides", favicon: "emulator" },
    dealerId: 7,
  });
  // Its logo, from a web server of its own (BRAND_LOGO_URL): an image no other dealer has.
  const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"><rect width="40" height="40" rx="20" fill="${opts.color}"/><text x="50" y="27" font-family="sans-serif" font-size="16">${opts.name}</text></svg>`;
  const images = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "no-store" });
    res.end(logoSvg);
  });
  await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve));
  const close = async () => {
    images.closeAllConnections();
    await Promise.allSettled([stripe.close(), navixy.close(), new Promise<void>((resolve) => images.close(() => resolve()))]);
  };
  const values: Record<string, string> = {
    STRIPE_SECRET_KEY: keys.secret,
    STRIPE_PUBLISHABLE_KEY: keys.publishable,
    STRIPE_WEBHOOK_SECRET: keys.webhookSecret,
    STRIPE_API_URL: stripe.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    NAVIXY_TIMEOUT_MS: "2000",
    PAYMENT_MIN_AMOUNT: "5",
    PAYMENT_MAX_AMOUNT: "500",
    PAYMENT_AMOUNT_PRESETS: opts.presets ?? "15,30,60",
    BRAND_NAME: opts.name,
    BRAND_COLOR: opts.color,
    BRAND_LOGO_URL: `http://127.0.0.1:${(images.address() as AddressInfo).port}/logo.svg`,
  };
  const added = await dealersCli(stack, ["add", slug, "--name", opts.name, ...Object.entries(values).flatMap(([k, v]) => ["--set", `${k}=${v}`])]);
  if (added.code !== 0) {
    await close();
    throw new Error(`npm run dealers -- add ${slug} exited with ${added.code}:\n${added.stdout}\n${added.stderr}`);
  }
  return {
    slug,
    name: opts.name,
    color: opts.color,
    base: `/d/${slug}`,
    webhookUrl,
    webhookSecret: keys.webhookSecret,
    publishableKey: keys.publishable,
    stripe,
    navixy,
    logoSvg,
    added: added.stdout,
    close,
  };
}
