// The app as real processes, for everything that tests or measures it from the outside (the browser tests'
// stacks, the resilience suite, the benchmark, the integration tests' template databases): a migrated
// database, `next start` on 127.0.0.1 once it answers, and stopping or killing it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import pg from "pg";
import { parseDatabaseUrl, postgresPoolConfig } from "../../lib/db/url";

export const ROOT = path.resolve(__dirname, "../..");
export const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const PRISMA_BIN = path.join(ROOT, "node_modules", "prisma", "build", "index.js");

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns something truthy (a throw counts as not yet). */
export async function waitUntil<T>(check: () => Promise<T> | T, timeoutMs: number, what: string, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: T | undefined;
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

// ---- databases ----------------------------------------------------------------------------------------------

/** `prisma migrate deploy` against `databaseUrl`; its output is only shown when it fails. */
export function migrateDatabase(databaseUrl: string): void {
  try {
    execFileSync(process.execPath, [PRISMA_BIN, "migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`prisma migrate deploy failed:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? e.message}`);
  }
}

export function removeSqliteFiles(file: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
}

/** An empty, migrated SQLite ledger at `file` (whatever was there is removed). Returns its DATABASE_URL. */
export function freshSqliteDatabase(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  removeSqliteFiles(file);
  const url = `file:${file}`;
  migrateDatabase(url);
  return url;
}

/** `serverUrl` (a PostgreSQL URL) naming another database of the same server. */
export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  u.searchParams.delete("schema");
  return u.toString();
}

async function onServer(serverUrl: string, sql: string[]): Promise<void> {
  const target = parseDatabaseUrl(serverUrl);
  if (target.provider !== "postgres") throw new Error("not a PostgreSQL URL");
  const admin = new pg.Client(postgresPoolConfig(target));
  await admin.connect();
  try {
    for (const statement of sql) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** Drops `database` on `serverUrl`'s server if it exists, creates it empty (or as a copy of `template`). */
export async function createPostgresDatabase(serverUrl: string, database: string, template?: string): Promise<string> {
  await onServer(serverUrl, [`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, `CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ""}`]);
  return withDatabase(serverUrl, database);
}

/** An empty, migrated PostgreSQL database. Returns its DATABASE_URL. */
export async function freshPostgresDatabase(serverUrl: string, database: string): Promise<string> {
  const url = await createPostgresDatabase(serverUrl, database);
  migrateDatabase(url);
  return url;
}

export async function dropPostgresDatabase(serverUrl: string, database: string): Promise<void> {
  await onServer(serverUrl, [`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`]);
}

// ---- next start ---------------------------------------------------------------------------------------------

/** A child process of ours whose output goes to a log file. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  alive(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** kill -9: no shutdown code runs. */
  kill9(): Promise<void>;
}

export interface AppProcess extends ManagedProcess {
  url: string;
  port: number;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/**
 * `npm run worker` as the tests and the benchmark start it: `node --import tsx lib/server/worker-main.ts`, one process
 * (so kill -9 hits the worker itself), ready once it says it works on every dealer's rows.
 */
export async function startStandaloneWorker(opts: { name: string; env: NodeJS.ProcessEnv; logFile: string; appendLog?: boolean }): Promise<ManagedProcess> {
  const proc = spawnNode({ ...opts, args: ["--import", "tsx", "lib/server/worker-main.ts"] });
  await waitUntil(() => proc.alive() && fs.readFileSync(proc.logFile, "utf8").includes("processing every dealer's Stripe events"), 30_000, `${opts.name} to start`, 100);
  return proc;
}

/**
 * `node <args>` from the repository root, its output into `logFile` (appended to with `appendLog`) and, line
 * by line, to `onLine`. Killed when this process exits, if still running.
 */
export function spawnNode(opts: { name: string; args: string[]; env: NodeJS.ProcessEnv; logFile: string; appendLog?: boolean; onLine?: (line: string) => void }): ManagedProcess {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  let child: ChildProcess;
  let closeLog = () => {};
  if (opts.onLine) {
    child = spawn(process.execPath, opts.args, { cwd: ROOT, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    const log = fs.createWriteStream(opts.logFile, { flags: opts.appendLog ? "a" : "w" });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(log, { end: false });
      readline.createInterface({ input: stream }).on("line", opts.onLine);
    }
    closeLog = () => log.end();
  } else {
    // Straight into the file: nothing of the child's output passes through this process (the benchmark's
    // load generator runs here).
    const fd = fs.openSync(opts.logFile, opts.appendLog ? "a" : "w");
    child = spawn(process.execPath, opts.args, { cwd: ROOT, env: opts.env, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
  }
  children.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      children.delete(child);
      closeLog();
      resolve();
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name: opts.name,
    child,
    logFile: opts.logFile,
    alive,
    async stop(graceMs = 10_000) {
      if (alive()) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * `next start` (the production build in .next/, or `dir`'s) on 127.0.0.1, resolved once `readyPath` answers
 * below 500 (or `ready` accepts the answer); killed if it exits first or does not answer in time.
 */
export async function startNextApp(opts: {
  name: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  port?: number;
  dir?: string;
  nodeArgs?: string[];
  readyPath?: string;
  ready?: (res: Response) => boolean;
  timeoutMs?: number;
  appendLog?: boolean;
  onLine?: (line: string) => void;
}): Promise<AppProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [...(opts.nodeArgs ?? []), NEXT_BIN, "start", ...(opts.dir ? [opts.dir] : []), "-p", String(port), "-H", "127.0.0.1"];
  const proc = spawnNode({ ...opts, args, env: { ...opts.env, PORT: String(port) } });
  const app: AppProcess = { ...proc, url, port };
  const { alive, child } = proc;
  const ready = opts.ready ?? ((res: Response) => res.status < 500);
  let outcome: "up" | "exited" | "timeout";
  try {
    outcome = await waitUntil(
      async () => {
        if (!alive()) return "exited" as const;
        const res = await fetch(url + (opts.readyPath ?? "/api/health"));
        await res.arrayBuffer();
        return ready(res) ? ("up" as const) : null;
      },
      opts.timeoutMs ?? 60_000,
      `${opts.name} to answer on ${url}`,
      100,
    );
  } catch {
    outcome = "timeout";
  }
  if (outcome !== "up") {
    await app.kill9();
    const why = outcome === "exited" ? `exited (${child.exitCode ?? child.signalCode})` : `did not answer within ${opts.timeoutMs ?? 60_000} ms`;
    throw new Error(`${opts.name} ${why}; see ${path.relative(ROOT, opts.logFile)}`);
  }
  return app;
}
