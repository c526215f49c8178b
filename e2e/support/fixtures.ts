// Playwright fixtures for the browser tests: the running stack of the test's project (app + emulators),
// controls for both emulators, a fresh Navixy user per test, and, in the "real" configuration, Stripe.js
// served from the sandbox test double at https://js.stripe.com (so the page's own loader code runs).
import fs from "node:fs";
import path from "node:path";
import { test as base, expect, type Page, type TestInfo } from "@playwright/test";
import { ROOT, STACK_NAMES, isStackName, readStackInfo, type StackInfo } from "./env";

/**
 * The Stripe.js test double the real configuration serves at js.stripe.com: the one the sandbox mode ships,
 * or another file named by E2E_STRIPE_JS (e.g. to try a new version of the double).
 */
export const SANDBOX_STRIPE_JS = process.env.E2E_STRIPE_JS
  ? path.resolve(process.env.E2E_STRIPE_JS)
  : path.join(ROOT, "lib", "sandbox", "assets", "sandbox-stripe.js");

export interface NavixyTransaction {
  id: number;
  userId: number;
  type: "balance" | "bonus";
  subtype: string;
  amount: string;
  balanceAfter: string;
  text: string;
}

export interface NavixyUser {
  id: number;
  subUser: boolean;
  balance: string;
  transactions: NavixyTransaction[];
}

export interface FaultRule {
  method: string;
  times?: number;
  always?: boolean;
  userId?: number;
  action: Record<string, unknown> & { type: string };
}

async function http<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The Navixy emulator's controls (GET /_emulator/state, POST /_emulator/users, faults). */
export class NavixyControl {
  constructor(readonly url: string) {}

  /** A new end user with a unique id, so a test's balance is its own. */
  async createUser(opts: { balance?: string; firstName?: string; lastName?: string; subUser?: boolean } = {}): Promise<number> {
    const id = 900_000_000 + Math.floor(Math.random() * 1_200_000_000);
    await http("POST", `${this.url}/_emulator/users`, {
      users: [
        {
          id,
          firstName: opts.firstName ?? "Erika",
          lastName: opts.lastName ?? "Mustermann",
          login: `e2e-${id}@example.com`,
          balance: opts.balance ?? "0.00",
          ...(opts.subUser ? { subUser: true } : {}),
        },
      ],
    });
    return id;
  }

  async users(): Promise<NavixyUser[]> {
    return (await http<{ users: NavixyUser[] }>("GET", `${this.url}/_emulator/state`)).users;
  }

  async user(id: number): Promise<NavixyUser> {
    const user = (await this.users()).find((u) => u.id === id);
    if (!user) throw new Error(`Navixy emulator has no user ${id}`);
    return user;
  }

  async balanceCents(id: number): Promise<number> {
    return cents((await this.user(id)).balance);
  }

  /** Balance movements (type "balance") of a user. */
  async credits(id: number): Promise<NavixyTransaction[]> {
    return (await this.user(id)).transactions.filter((t) => t.type === "balance");
  }

  async addFault(rule: FaultRule): Promise<void> {
    await http("POST", `${this.url}/_emulator/faults`, rule);
  }
}

export interface EmulatedPaymentIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
}

/** The Stripe emulator's controls (GET /_emulator/state, deliveries). */
export class StripeControl {
  constructor(readonly url: string) {}

  async paymentIntentsFor(userId: number): Promise<EmulatedPaymentIntent[]> {
    const state = await http<{ paymentIntents: EmulatedPaymentIntent[] }>("GET", `${this.url}/_emulator/state`);
    return state.paymentIntents.filter((pi) => pi.metadata?.navixy_user_id === String(userId));
  }

  /** Waits until every queued webhook delivery attempt has finished. */
  async flushDeliveries(): Promise<void> {
    await http("POST", `${this.url}/_emulator/deliveries/flush`);
  }
}

/** "12.50" → 1250 */
export function cents(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? "0").padEnd(2, "0")));
}

export type StripeJsMode = "double" | "abort";

interface Fixtures {
  /** How https://js.stripe.com answers in the real configuration: the test double, or a failed load. */
  stripeJs: StripeJsMode;
  stack: StackInfo;
  navixy: NavixyControl;
  stripeEmulator: StripeControl;
  /** A fresh Navixy user (balance 0.00) for this test. */
  userId: number;
  pageDiagnostics: void;
}

export const test = base.extend<Fixtures>({
  stripeJs: ["double", { option: true }],

  stack: async ({}, use, testInfo) => {
    const name = testInfo.project.name;
    if (!isStackName(name)) throw new Error(`Unknown project ${name}: expected one of ${STACK_NAMES.join(", ")}`);
    const info = readStackInfo(name);
    const baseURL = testInfo.project.use.baseURL;
    if (baseURL && info.appUrl !== baseURL) throw new Error(`Stack file says ${info.appUrl} but the project uses ${baseURL}: restart the stack.`);
    await use(info);
  },

  navixy: async ({ stack }, use) => use(new NavixyControl(stack.navixyUrl)),
  stripeEmulator: async ({ stack }, use) => use(new StripeControl(stack.stripeUrl)),
  userId: async ({ navixy }, use) => use(await navixy.createUser()),

  context: async ({ context, stack, stripeJs }, use) => {
    if (!stack.sandbox) {
      if (stripeJs === "abort") {
        await context.route("https://js.stripe.com/**", (route) => route.abort("internetdisconnected"));
      } else {
        // Unless the test named another Stripe (a hosted dealer's emulator, e2e/dealers.spec.ts): init scripts run
        // in no set order, so this one never overwrites a value already there.
        await context.addInitScript((api: string) => {
          (window as unknown as { __SANDBOX_STRIPE_API__?: string }).__SANDBOX_STRIPE_API__ ??= api;
        }, stack.stripeUrl);
        await context.route("https://js.stripe.com/**", async (route) => {
          const { pathname } = new URL(route.request().url());
          if (pathname.endsWith("/stripe.js") && fs.existsSync(SANDBOX_STRIPE_JS)) {
            await route.fulfill({ path: SANDBOX_STRIPE_JS, contentType: "application/javascript; charset=utf-8" });
          } else {
            await route.fulfill({ status: 404, contentType: "text/plain", body: "not served by the e2e Stripe.js double" });
          }
        });
      }
    }
    await use(context);
  },

  // What the browser said, attached to a failed test's report.
  pageDiagnostics: [
    async ({ page }, use, testInfo) => {
      const lines: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") lines.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => lines.push(`pageerror: ${e.message}`));
      page.on("requestfailed", (r) => lines.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
      await use();
      if (testInfo.status !== testInfo.expectedStatus && lines.length > 0) {
        await testInfo.attach("browser-log.txt", { body: lines.join("\n"), contentType: "text/plain" });
      }
    },
    { auto: true },
  ],
});

export { expect };

/** A full-page screenshot kept under test-results/<test>/. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}
