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
export function ensureBuilds(opts: { force: boolean; skip: boolean }): void {
  if (!opts.skip) {
    const reason = opts.force ? "--build" : buildReason();
    if (reason) {
      log(`next build (gateway): ${reason}`);
      nextBuild(undefined, "gateway");
    }
  }
  const floorBuildId = path.join(FLOOR_DIR, ".next", "BUILD_ID");
  const stale =
    !fs.existsSync(floorBuildId) ||
    opts.force ||
    newestMtime(FLOOR_DIR, /^(\.next|node_modules|next-env\.d\.ts)$/) > fs.statSync(floorBuildId).mtimeMs;
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

export function gatewayEnv(emu: Emulators, databaseUrl: string, port: number): NodeJS.ProcessEnv {
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
  for (const k of ["PAYMENT_CURRENCY", "WORKER_POLL_INTERVAL_MS", "LOG_LEVEL", "SWEEP_INTERVAL_MS", "NAVIXY_TIMEOUT_MS"]) delete env[k];
  return env;
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

export function startServer(opts: { name: string; dir?: string; env: NodeJS.ProcessEnv; readyPath: string; nodeArgs?: string[] }): Promise<Server> {
  return startNextApp({ ...opts, logFile: path.join(WORK, `${opts.name}.log`) });
}

/** Resident memory of a process and its descendants, in MB (Linux /proc). */
export function rssMb(pid: number): number {
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
  let kb = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* gone */
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return kb / 1024;
}
