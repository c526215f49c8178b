// The resilience suite's stack: a fresh, migrated database (SQLite file or PostgreSQL database), the Stripe and
// Navixy emulators in this process, and the production build as real processes (`next start`, and the
// standalone worker `lib/worker/main.ts`) that the scenarios start, kill -9 and restart.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import Stripe from "stripe";
import { createDb, type Db } from "../../db/client";
import { startNavixyEmulator, type NavixyEmulator, type SeedUser } from "../../emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../../emulators/stripe/server";

export const ROOT = path.resolve(__dirname, "../../..");
export const TMP = path.join(ROOT, ".tmp", "resilience");
export const KEYS = { secret: "sk_test_emulator", publishable: "pk_test_emulator", webhookSecret: "whsec_resilience_suite_secret" };
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

export type Provider = "sqlite" | "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitUntil<T>(check: () => Promise<T> | T, timeoutMs: number, what: string, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await check();
    } catch {
      last = undefined;
    }
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function migrate(databaseUrl: string): void {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export interface Database {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(provider: Provider, postgresUrl?: string): Promise<Database> {
  fs.mkdirSync(TMP, { recursive: true });
  if (provider === "sqlite") {
    const file = path.join(TMP, `ledger-${process.pid}.db`);
    const clean = () => {
      for (const s of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + s, { force: true });
    };
    clean();
    const url = `file:${file}`;
    migrate(url);
    return { provider, url, drop: async () => clean() };
  }
  if (!postgresUrl) throw new Error("TEST_POSTGRES_URL is not set");
  const name = `gateway_resilience_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(postgresUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  migrate(url);
  return {
    provider,
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Proc {
  name: string;
  child: ChildProcess;
  url?: string;
  /** kill -9: no shutdown code runs. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  alive(): boolean;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function track(name: string, child: ChildProcess, logFile: string, url?: string): Proc {
  children.add(child);
  const out = fs.createWriteStream(logFile, { flags: "a" });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    url,
    alive,
    async kill9() {
      if (alive()) child.kill("SIGKILL");
      await exited;
      children.delete(child);
    },
    async stop() {
      if (alive()) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}

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
    // Small, so a dead worker's lease (NAVIXY_TIMEOUT_MS*2 + 30 s) runs out within the suite's time.
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
  };
  const base = { ...process.env };
  for (const k of ["PAYMENT_CURRENCY", "SANDBOX", "ADMIN_PASSWORD", "WORKER_IN_SERVER", "PORT", "PUBLIC_URL"]) delete base[k];
  const db = createDb(database.url).db;
  const stripeSdk = new Stripe(KEYS.secret, { host: "127.0.0.1", port: stripe.port, protocol: "http", maxNetworkRetries: 0 });

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
      const url = `http://127.0.0.1:${port}`;
      const logFile = path.join(logDir, `${name}.log`);
      for (let attempt = 1; ; attempt++) {
        // Another `next build` in this checkout (a parallel test run) removes the build for a while: wait for it.
        await waitUntil(() => fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")), 180_000, "a production build (.next/BUILD_ID)", 500);
        const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
          cwd: ROOT,
          env: { ...base, ...env, PUBLIC_URL: url, PORT: String(port), WORKER_IN_SERVER: String(opts.workerInServer ?? true), ...opts.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        const proc = track(name, child, logFile, url);
        try {
          const outcome = await waitUntil(
            async () => (!proc.alive() ? "exited" : (await fetch(`${url}/api/health`)).status === 200 ? "up" : null),
            60_000,
            `${name} to answer /api/health`,
            100,
          );
          if (outcome === "up") return proc;
          throw new Error("it exited");
        } catch (error) {
          await proc.kill9();
          const noBuild = fs.readFileSync(logFile, "utf8").includes("Could not find a production build");
          if (noBuild && attempt < 3) continue;
          throw new Error(`${name} did not start (${(error as Error).message}); log: ${path.relative(ROOT, logFile)}`);
        }
      }
    },
    async startWorker(name, opts = {}) {
      // `node --import tsx` keeps the worker one process, so kill -9 hits the worker itself.
      const child = spawn(process.execPath, ["--import", "tsx", "lib/worker/main.ts"], {
        cwd: ROOT,
        env: { ...base, ...env, PUBLIC_URL: "http://127.0.0.1:9", WORKER_IN_SERVER: "false", ...opts.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const logFile = path.join(logDir, `${name}.log`);
      const proc = track(name, child, logFile);
      await waitUntil(() => proc.alive() && fs.readFileSync(logFile, "utf8").includes("processing Stripe events"), 30_000, `${name} to start`, 100);
      return proc;
    },
    async close() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      await db.$disconnect();
      await Promise.allSettled([stripe.close(), navixy.close()]);
      await database.drop();
    },
  };
  return stack;
}

/** The Stripe-Signature header Stripe would send for `payload`. */
export function sign(stripe: Stripe, payload: string): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret: KEYS.webhookSecret });
}
