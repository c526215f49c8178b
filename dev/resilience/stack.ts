// The resilience suite's stack: a fresh, migrated database (SQLite file or PostgreSQL database), the Stripe and
// Navixy emulators in this process, and the production build as real processes (`next start`, and the
// standalone worker `lib/server/worker-main.ts`) that the scenarios start, kill -9 and restart.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Stripe from "stripe";
import { createDb, type Db } from "../../lib/db/client";
import {
  ROOT,
  dropPostgresDatabase,
  freePort,
  freshPostgresDatabase,
  freshSqliteDatabase,
  removeSqliteFiles,
  startNextApp,
  startStandaloneWorker,
  waitUntil,
  type ManagedProcess,
} from "../testing/app-process";
import { startNavixyEmulator, type NavixyEmulator, type SeedUser } from "../emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../emulators/stripe/server";

export { ROOT, sleep, waitUntil } from "../testing/app-process";
export const TMP = path.join(ROOT, ".tmp", "resilience");
export const KEYS = { secret: "sk_test_emulator", publishable: "pk_test_emulator", webhookSecret: "whsec_resilience_suite_secret" };

export type Provider = "sqlite" | "postgres";

export interface Database {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(provider: Provider, postgresUrl?: string): Promise<Database> {
  if (provider === "sqlite") {
    const file = path.join(TMP, `ledger-${process.pid}.db`);
    return { provider, url: freshSqliteDatabase(file), drop: async () => removeSqliteFiles(file) };
  }
  if (!postgresUrl) throw new Error("TEST_POSTGRES_URL is not set");
  const name = `gateway_resilience_${process.pid}`;
  return { provider, url: await freshPostgresDatabase(postgresUrl, name), drop: () => dropPostgresDatabase(postgresUrl, name) };
}

/** An app (`url` set) or a standalone worker. */
export type Proc = ManagedProcess & { url?: string };

export interface Stack {
  provider: Provider;
  db: Db;
  database: Database;
  stripe: StripeEmulator;
  navixy: NavixyEmulator;
  /** The real SDK against the emulator (secret key). */
  stripeSdk: Stripe;
  /** Environment every app and worker process of this stack gets. */
  env: Record<string, string>;
  logDir: string;
  startApp(name: string, opts?: { port?: number; workerInServer?: boolean; env?: Record<string, string> }): Promise<Proc>;
  startWorker(name: string, opts?: { env?: Record<string, string> }): Promise<Proc>;
  /** `npm run dealers -- <args>` as an operator runs it, with this stack's environment; `stdin` is its input. */
  dealersCli(args: string[], opts?: { env?: Record<string, string>; stdin?: string }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startStack(provider: Provider, postgresUrl: string | undefined, users: SeedUser[]): Promise<Stack> {
  const database = await createDatabase(provider, postgresUrl);
  const logDir = path.join(TMP, provider);
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const stripe = await startStripeEmulator({
    secretKey: KEYS.secret,
    publishableKey: KEYS.publishable,
    webhookRetryDelaysMs: [300, 1000, 2000, 4000, 8000],
    webhookTimeoutMs: 10_000,
  });
  const navixy = await startNavixyEmulator({ currency: "EUR", users });
  const env: Record<string, string> = {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.url,
    STRIPE_SECRET_KEY: KEYS.secret,
    STRIPE_PUBLISHABLE_KEY: KEYS.publishable,
    STRIPE_WEBHOOK_SECRET: KEYS.webhookSecret,
    STRIPE_API_URL: stripe.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    NAVIXY_CREDIT_METHOD: "panel",
    // Small, so a money call's deadline and in-flight window (1 s and 2 s) pass within the suite's time.
    NAVIXY_TIMEOUT_MS: "1000",
    WORKER_POLL_INTERVAL_MS: "200",
    CREDIT_RETRY_BASE_MS: "200",
    CREDIT_RETRY_MAX_MS: "2000",
    PAYMENT_MIN_AMOUNT: "5",
    PAYMENT_MAX_AMOUNT: "1000",
    RATE_LIMIT_PAYMENTS_PER_IP: "1000000/1m",
    RATE_LIMIT_PAYMENTS_PER_USER: "1000000/1m",
    LOG_LEVEL: process.env.RESILIENCE_LOG_LEVEL ?? "info",
    SANDBOX: "0",
    // Seals hosted dealers' secrets (`npm run dealers -- add`); every process needs it to open them.
    SECRETS_KEY: `k1:${randomBytes(32).toString("base64")}`,
  };
  const base = { ...process.env };
  for (const k of ["PAYMENT_CURRENCY", "SANDBOX", "ADMIN_PASSWORD", "WORKER_IN_SERVER", "PORT", "PUBLIC_URL"]) delete base[k];
  const db = createDb(database.url).db;
  const stripeSdk = new Stripe(KEYS.secret, { host: "127.0.0.1", port: stripe.port, protocol: "http", maxNetworkRetries: 0 });

  const procs = new Set<Proc>();
  const stack: Stack = {
    provider,
    db,
    database,
    stripe,
    navixy,
    stripeSdk,
    env,
    logDir,
    async startApp(name, opts = {}) {
      const port = opts.port ?? (await freePort());
      for (let attempt = 1; ; attempt++) {
        // Another `next build` in this checkout (a parallel test run) removes the build for a while: wait for it.
        await waitUntil(() => fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")), 180_000, "a production build (.next/BUILD_ID)", 500);
        const logFile = path.join(logDir, `${name}.log`);
        try {
          const app = await startNextApp({
            name,
            port,
            logFile,
            appendLog: true,
            env: { ...base, ...env, PUBLIC_URL: `http://127.0.0.1:${port}`, WORKER_IN_SERVER: String(opts.workerInServer ?? true), ...opts.env },
            ready: (res) => res.status === 200,
          });
          procs.add(app);
          return app;
        } catch (error) {
          const noBuild = fs.readFileSync(logFile, "utf8").includes("Could not find a production build");
          if (noBuild && attempt < 3) continue;
          throw error;
        }
      }
    },
    async startWorker(name, opts = {}) {
      const proc = await startStandaloneWorker({
        name,
        env: { ...base, ...env, PUBLIC_URL: "http://127.0.0.1:9", WORKER_IN_SERVER: "false", ...opts.env },
        logFile: path.join(logDir, `${name}.log`),
        appendLog: true,
      });
      procs.add(proc);
      return proc;
    },
    dealersCli(args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn("npm", ["run", "--silent", "dealers", "--", ...args], {
          cwd: ROOT,
          env: { ...base, ...env, PUBLIC_URL: "http://127.0.0.1:9", ...opts.env },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("error", reject);
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000); // an operator would give up too
        child.once("close", (code) => {
          clearTimeout(timer);
          fs.appendFileSync(path.join(logDir, "dealers-cli.log"), `$ npm run dealers -- ${args.join(" ")}\n${stdout}${stderr}exit ${code}\n`);
          resolve({ code, stdout, stderr });
        });
        child.stdin.end(opts.stdin ?? "");
      });
    },
    async close() {
      await Promise.all([...procs].map((p) => p.kill9()));
      await db.$disconnect();
      await Promise.allSettled([stripe.close(), navixy.close()]);
      await database.drop();
    },
  };
  return stack;
}

/** The Stripe-Signature header Stripe would send for `payload` (signed with `secret`: the environment's dealer's by default). */
export function sign(stripe: Stripe, payload: string, secret: string = KEYS.webhookSecret): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret });
}
