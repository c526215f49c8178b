// Shared by playwright.config.ts, the stack launcher (e2e/support/stack.ts) and the tests: where each
// configuration listens and where a running stack describes itself. No heavy imports: the config loads it.
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
/**
 * Databases, stack descriptions and server logs of the browser tests (git-ignored). E2E_TMP_DIR moves them, e.g. for a
 * second run beside another one (with other E2E_*_PORT values).
 */
export const E2E_TMP = process.env.E2E_TMP_DIR ? path.resolve(process.env.E2E_TMP_DIR) : path.join(ROOT, ".tmp", "e2e");

/**
 * real     no SANDBOX, automatic capture: the checkout as most dealers run it;
 * sandbox  SANDBOX=1;
 * manual   no SANDBOX, PAYMENT_CAPTURE=manual: payments wait for the dealer to capture or release them.
 */
export type StackName = "real" | "sandbox" | "manual";
export const STACK_NAMES: readonly StackName[] = ["real", "sandbox", "manual"];

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} must be a TCP port, got "${raw}"`);
  return port;
}

/** The app's port per configuration (fixed so Playwright can health-check it; override if taken). */
export const APP_PORTS: Record<StackName, number> = {
  real: portFrom("E2E_REAL_PORT", 3911),
  sandbox: portFrom("E2E_SANDBOX_PORT", 3912),
  manual: portFrom("E2E_MANUAL_PORT", 3913),
};

export const appUrl = (name: StackName) => `http://127.0.0.1:${APP_PORTS[name]}`;

/** What a running stack writes about itself so tests can reach its emulators. */
export interface StackInfo {
  name: StackName;
  appUrl: string;
  /** Stripe emulator base URL (API under /v1, controls under /_emulator). */
  stripeUrl: string;
  /** Navixy emulator base URL (API under /v2, controls under /_emulator). */
  navixyUrl: string;
  sandbox: boolean;
  databaseUrl: string;
  /** The variables the stack gave the app (test values only): what the operator's commands against it need. */
  appEnv: Record<string, string>;
  pid: number;
  startedAt: string;
}

/** The dealer console's password in every configuration (e2e/admin.spec.ts signs in with it). */
export const E2E_ADMIN_PASSWORD = "e2e-dealer-console-password";

export const stackInfoPath = (name: StackName) => path.join(E2E_TMP, `${name}.json`);

export function readStackInfo(name: StackName): StackInfo {
  const file = stackInfoPath(name);
  if (!fs.existsSync(file)) {
    throw new Error(
      `No running "${name}" stack described at ${path.relative(ROOT, file)}. ` +
        `Playwright starts it through webServer; to keep one running yourself: npx tsx e2e/support/stack.ts ${name}`,
    );
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as StackInfo;
}

export function isStackName(v: string): v is StackName {
  return (STACK_NAMES as readonly string[]).includes(v);
}
