// Builds, databases and processes: the gateway's production build (`next start`), the floor
// (`next start dev/bench/floor`) and the emulators, each a child process on 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { NEXT_BIN, freshSqliteDatabase, startNextApp, type AppProcess } from "../../testing/app-process";
import { buildReason } from "../../../e2e/support/build";
import { FLOOR_DIR, ROOT, TSX_BIN, WEBHOOK_SECRET, WORK, log } from "./env";

// ---- builds ------------------------------------------------------------------------------------------

function newestMtime(dir: string, skip: RegExp): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (!skip.test(e)) visit(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  visit(dir);
  return newest;
}

function nextBuild(dir: string | undefined, label: string): void {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.SANDBOX;
  execFileSync(process.execPath, [NEXT_BIN, "build", ...(dir ? [dir] : [])], { cwd: ROOT, env, stdio: ["ignore", 2, 2] });
  log(`${label} built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Builds the gateway (when a source changed after its last build, as the browser tests decide) and the floor. */
export function ensureBuilds(opts: { force: boolean; skip: boolean; floor: boolean }): void {
  if (!opts.skip) {
    const reason = opts.force ? "--build" : buildReason();
    if (reason) {
      log(`next build (gateway): ${reason}`);
      nextBuild(undefined, "gateway");
    }
  }
  const floorBuildId = path.join(FLOOR_DIR, ".next", "BUILD_ID");
  const stale =
    opts.floor &&
    (!fs.existsSync(floorBuildId) ||
      opts.force ||
      newestMtime(FLOOR_DIR, /^(\.next|node_modules|next-env\.d\.ts)$/) > fs.statSync(floorBuildId).mtimeMs);
  if (stale) {
    log("next build dev/bench/floor");
    nextBuild(path.relative(ROOT, FLOOR_DIR), "floor");
  }
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("No production build of the gateway (.next/BUILD_ID)");
}

// ---- databases -------------------------------------------------------------------------------------------

/** A fresh, migrated SQLite file under dev/bench/results/work/. */
export function freshSqlite(name: string): string {
  return freshSqliteDatabase(path.join(WORK, `${name}.db`));
}

// ---- emulators -------------------------------------------------------------------------------------------

export interface Emulators {
  stripeUrl: string;
  navixyUrl: string;
  navixyApiUrl: string;
  /** The credit recorder of the emulators' process (emulators.ts): every change_balance by PaymentIntent. */
  recorderUrl: string;
  login: string;
  password: string;
  process: ChildProcess;
}

export async function startEmulators(): Promise<Emulators> {
  const child = spawn(process.execPath, [TSX_BIN, path.join(ROOT, "dev", "bench", "support", "emulators.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rl = readline.createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`emulators exited (${code})`)));
  });
  rl.close();
  return { ...(JSON.parse(line) as Omit<Emulators, "process">), process: child };
}

// ---- servers ---------------------------------------------------------------------------------------------

export type Server = AppProcess;

/** The gateway's settings: the emulators, production defaults, and `extra` (a suite's own, e.g. SECRETS_KEY). */
export function gatewayEnv(emu: Emulators, databaseUrl: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    STRIPE_SECRET_KEY: "sk_test_emulator",
    STRIPE_PUBLISHABLE_KEY: "pk_test_emulator",
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: emu.stripeUrl,
    NAVIXY_API_URL: emu.navixyApiUrl,
    NAVIXY_PANEL_LOGIN: emu.login,
    NAVIXY_PANEL_PASSWORD: emu.password,
    NAVIXY_CREDIT_METHOD: "panel",
    PAYMENT_CAPTURE: "automatic",
    WORKER_IN_SERVER: "true",
    SANDBOX: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  // Everything else at its production default; never the caller's shell settings.
  for (const k of [
    "PAYMENT_CURRENCY",
    "WORKER_POLL_INTERVAL_MS",
    "LOG_LEVEL",
    "SWEEP_INTERVAL_MS",
    "SWEEP_AFTER_MS",
    "NAVIXY_TIMEOUT_MS",
    "WORKER_CONCURRENCY",
    "NAVIXY_CONCURRENCY",
    "DEALER_CACHE_SIZE",
    "SECRETS_KEY",
    "RATE_LIMIT_PAYMENTS_PER_IP",
    "RATE_LIMIT_PAYMENTS_PER_USER",
  ]) {
    delete env[k];
  }
  return { ...env, ...extra };
}

export function floorEnv(emu: Emulators): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    STRIPE_SECRET_KEY: "sk_test_emulator",
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    NAVIXY_API_URL: emu.navixyApiUrl,
    NAVIXY_PANEL_LOGIN: emu.login,
    NAVIXY_PANEL_PASSWORD: emu.password,
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

export function startServer(opts: {
  name: string;
  dir?: string;
  env: NodeJS.ProcessEnv;
  readyPath: string;
  nodeArgs?: string[];
  ready?: (res: Response) => boolean;
  timeoutMs?: number;
}): Promise<Server> {
  return startNextApp({ ...opts, logFile: path.join(WORK, `${opts.name}.log`) });
}

/** A process and its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return tree;
}

/** Resident memory of a process and its descendants, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time a process and its descendants have used, in seconds: utime + stime of each, plus cutime + cstime (what
 * children that already exited used). Differences of two readings are what the tree used in between.
 */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      /* gone */
    }
  }
  return ticks / ticksPerSecond();
}
