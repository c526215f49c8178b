/**
 * `npm run demo`: the whole gateway on this computer in one command, with no Stripe account, no Navixy
 * credentials and no internet. Starts the Stripe and Navixy emulators in this process, prepares a sandbox
 * database, builds the app if there is no production build, adds a second, hosted dealer with emulators of its
 * own (`npm run dealers -- add`), runs `next start` in sandbox mode (SANDBOX=1) with the dealer console on, and
 * prints where to pay, where the console is and its password for this run. Ctrl-C stops everything it started.
 *
 *   npm run demo -- [--port 3000] [--stripe-port 12111] [--navixy-port 12112] [--rebuild] [--keep-data] [--data DIR] [--verbose]
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { DEMO_DEALER_USERS, DEMO_USERS } from "../emulators/navixy/demo-users";
import { startNavixyEmulator, type NavixyEmulator } from "../emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../emulators/stripe/server";
import {
  DEMO_DEALER,
  DEMO_USAGE,
  DOTENV_FILES,
  DemoArgsError,
  SANDBOX_CURRENCY,
  SANDBOX_KEYS,
  consolePassword,
  demoDealerValues,
  demoEnv,
  dotenvNamesIn,
  generateSecretsKey,
  parseDemoArgs,
  sandboxDatabaseUrl,
  type DemoOptions,
} from "./demo-config";
import { SANDBOX_TEST_CARDS, TEST_CARD_DETAILS } from "../../lib/sandbox/test-cards";

class DemoError extends Error {}

/** The project folder: where package.json and node_modules are, whatever the current directory. */
function findRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "next.config.js"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

const ROOT = findRoot();
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Whether a TCP port can be listened on (all interfaces, as `next start` does). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function checkPorts(options: DemoOptions): Promise<void> {
  const wanted: [string, number, string][] = [
    ["the app", options.port, "--port"],
    ["the Stripe emulator", options.stripePort, "--stripe-port"],
    ["the Navixy emulator", options.navixyPort, "--navixy-port"],
  ];
  const taken: string[] = [];
  for (const [what, port, flag] of wanted) {
    if (!(await portFree(port))) taken.push(`port ${port} (for ${what}) is already in use: stop what uses it, or choose another with ${flag} N`);
  }
  if (taken.length > 0) throw new DemoError(`Cannot start the demo:\n  - ${taken.join("\n  - ")}`);
}

/** Runs a command to completion; its output is shown only if it fails (or always, with `show`). */
function run(command: string, args: string[], env: Record<string, string>, show: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: show ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => reject(new DemoError(`${path.basename(command)} could not be started: ${error.message}. Did you run npm install?`)));
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new DemoError(`${path.basename(command)} ${args.join(" ")} failed (${signal ?? `exit code ${code}`})${output ? `:\n${output.trim()}` : ""}`));
    });
  });
}

/** Names set by the project's .env files, which the demo keeps out of the sandbox. */
function dotenvNames(): string[] {
  const names: string[] = [];
  for (const file of DOTENV_FILES) {
    try {
      names.push(...dotenvNamesIn(fs.readFileSync(path.join(ROOT, file), "utf8")));
    } catch {
      // no such file
    }
  }
  return names;
}

function removeSandboxDatabase(databaseUrl: string): void {
  const file = path.resolve(ROOT, databaseUrl.slice("file:".length));
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
}

/**
 * The key the hosted dealer's secrets are sealed with in the ledger. A kept ledger (--keep-data) keeps its key
 * (data/sandbox-secrets.key, readable by this user only); a fresh ledger gets a fresh key.
 */
function sandboxSecretsKey(dataDir: string, keepData: boolean): string {
  const file = path.resolve(ROOT, dataDir, "sandbox-secrets.key");
  if (keepData) {
    try {
      const kept = fs.readFileSync(file, "utf8").trim();
      if (kept) return kept;
    } catch {
      // none yet
    }
  }
  const key = generateSecretsKey();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * Adds the hosted dealer as an operator would (`npm run dealers -- add`, which checks it and takes it live), or, in
 * a kept ledger where it exists already, gives it this run's emulators (`set`).
 */
async function addDemoDealer(env: Record<string, string>, values: Record<string, string>): Promise<void> {
  const cli = [path.join("lib", "ops", "dealers-cli.ts")];
  const sets = Object.entries(values).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const quiet = { ...env, LOG_LEVEL: "warn" };
  try {
    await run(bin("tsx"), [...cli, "add", DEMO_DEALER.slug, "--name", DEMO_DEALER.name, ...sets], quiet, false);
  } catch (error) {
    if (!(error instanceof DemoError) || !/exists already/.test(error.message)) throw error;
    await run(bin("tsx"), [...cli, "set", DEMO_DEALER.slug, ...sets], quiet, false);
  }
}

async function waitForHealth(port: number, app: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.exitCode !== null || app.signalCode !== null) throw new DemoError("The app stopped while starting (see its output above).");
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new DemoError(`The app did not answer http://127.0.0.1:${port}/api/health within ${timeoutMs / 1000} s.`);
}

function userName(u: (typeof DEMO_USERS)[number]): string {
  return u.legalName ?? [u.firstName, u.lastName].filter(Boolean).join(" ");
}

interface Emulators {
  stripe: StripeEmulator;
  navixy: NavixyEmulator;
}

/**
 * Where everything is. The console's password is shown here and nowhere else: the app is given it in its
 * environment and never logs it.
 */
function printWelcome(options: DemoOptions, own: Emulators, dealer: Emulators, login: { password: string; generated: boolean }, databaseUrl: string): void {
  const base = `http://localhost:${options.port}`;
  const first = DEMO_USERS.find((u) => !u.subUser) ?? DEMO_USERS[0];
  const dealerBase = `${base}/d/${DEMO_DEALER.slug}`;
  say("");
  say("  Sandbox is running. No real money: Stripe and Navixy are emulated on this computer.");
  say("");
  say(`  Pay:       ${base}/?id=${first?.id ?? 10001}`);
  say(`  Watch:     ${base}/sandbox   (balances, transactions and payments, refreshing)`);
  say(`  Console:   ${base}/admin   (the dealer's side: payments, refunds, setup, dealers)`);
  say(
    login.generated
      ? `  Password:  ${login.password}   (made for this run and shown only here; set ADMIN_PASSWORD to choose one)`
      : "  Password:  your ADMIN_PASSWORD",
  );
  say("");
  say(`  Navixy users (${SANDBOX_CURRENCY}):`);
  for (const u of DEMO_USERS) {
    const note = u.subUser ? "  sub-user: the checkout refuses it (404)" : "";
    say(`    ${base}/?id=${u.id}   ${userName(u).padEnd(16)} balance ${u.balance ?? "0.00"}${note}`);
  }
  say("");
  say(`  A second dealer on this deployment: ${DEMO_DEALER.name}, with its own Stripe account and Navixy (${DEMO_DEALER.currency})`);
  say(`    Pay:       ${dealerBase}/?id=${DEMO_DEALER_USERS[0]?.id ?? 20001}`);
  say(`    Watch:     ${dealerBase}/sandbox`);
  for (const u of DEMO_DEALER_USERS) say(`    ${dealerBase}/?id=${u.id}   ${userName(u).padEnd(18)} balance ${u.balance ?? "0.00"}`);
  say("    In the console: Dealers lists it; the dealer switcher at the top shows its payments.");
  say("");
  say("  Test cards:");
  for (const card of SANDBOX_TEST_CARDS) say(`    ${card.number}   ${card.outcome}`);
  say(`    with ${TEST_CARD_DETAILS}`);
  say("");
  say(`  Stripe emulator ${own.stripe.url}   Navixy emulator ${own.navixy.url}   ledger ${databaseUrl}`);
  say(`  ${DEMO_DEALER.name}: Stripe emulator ${dealer.stripe.url}   Navixy emulator ${dealer.navixy.url}`);
  say("  Press Ctrl-C to stop.");
  say("");
}

async function main(): Promise<void> {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoArgsError) {
      console.error(`${error.message}\n\n${DEMO_USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    say(DEMO_USAGE);
    return;
  }

  let stripe: StripeEmulator | undefined;
  let navixy: NavixyEmulator | undefined;
  let dealerStripe: StripeEmulator | undefined;
  let dealerNavixy: NavixyEmulator | undefined;
  let app: ChildProcess | undefined;
  let stopping = false;

  const killApp = (signal: NodeJS.Signals) => {
    if (!app?.pid || app.exitCode !== null || app.signalCode !== null) return;
    try {
      process.kill(-app.pid, signal); // its whole process group: next start and anything it started
    } catch {
      try {
        app.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  // Whatever happens to this process, the app it started does not outlive it.
  process.on("exit", () => killApp("SIGKILL"));

  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      if (app && app.exitCode === null && app.signalCode === null) {
        const exited = new Promise<void>((resolve) => app?.once("exit", () => resolve()));
        killApp("SIGTERM");
        const timer = setTimeout(() => killApp("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await Promise.allSettled([stripe?.close(), navixy?.close(), dealerStripe?.close(), dealerNavixy?.close()]);
    }
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (!stopping) say("\nStopping the sandbox...");
      void stop(0);
    });
  }

  try {
    await checkPorts(options);

    const log = options.verbose ? (line: string) => say(line) : undefined;
    const webhookUrl = `http://127.0.0.1:${options.port}/api/stripe/webhook`;
    try {
      stripe = await startStripeEmulator({
        port: options.stripePort,
        host: "127.0.0.1",
        secretKey: SANDBOX_KEYS.secret,
        publishableKey: SANDBOX_KEYS.publishable,
        webhooks: [{ url: webhookUrl, secret: SANDBOX_KEYS.webhookSecret }],
        ...(log ? { log } : {}),
      });
      navixy = await startNavixyEmulator({
        port: options.navixyPort,
        host: "127.0.0.1",
        currency: SANDBOX_CURRENCY,
        users: DEMO_USERS,
        ...(log ? { log } : {}),
      });
      // The hosted dealer's own Stripe account and Navixy, on free ports.
      dealerStripe = await startStripeEmulator({
        host: "127.0.0.1",
        secretKey: DEMO_DEALER.keys.secret,
        publishableKey: DEMO_DEALER.keys.publishable,
        webhooks: [{ url: `http://127.0.0.1:${options.port}/api/stripe/webhook/${DEMO_DEALER.slug}`, secret: DEMO_DEALER.keys.webhookSecret }],
        statementDescriptorPrefix: "NORTHWIND",
        ...(log ? { log: (line: string) => log(`[${DEMO_DEALER.slug}] ${line}`) } : {}),
      });
      dealerNavixy = await startNavixyEmulator({
        host: "127.0.0.1",
        currency: DEMO_DEALER.currency,
        login: DEMO_DEALER.navixy.login,
        password: DEMO_DEALER.navixy.password,
        users: DEMO_DEALER_USERS,
        brand: { title: DEMO_DEALER.name },
        dealerId: 2,
        ...(log ? { log: (line: string) => log(`[${DEMO_DEALER.slug}] ${line}`) } : {}),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DemoError(
        code === "EADDRINUSE"
          ? `An emulator's port is already in use (${(error as Error).message}); choose others with --stripe-port / --navixy-port.`
          : `The emulators could not be started: ${(error as Error).message}`,
      );
    }
    say(`Stripe emulator on ${stripe.url} (webhooks to ${webhookUrl}); Navixy emulator on ${navixy.url}.`);

    const databaseUrl = sandboxDatabaseUrl(options.dataDir);
    const login = consolePassword(process.env);
    const env = demoEnv(
      process.env,
      {
        port: options.port,
        databaseUrl,
        adminPassword: login.password,
        secretsKey: sandboxSecretsKey(options.dataDir, options.keepData),
        stripeApiUrl: stripe.url,
        navixyApiUrl: navixy.apiUrl,
        navixyLogin: navixy.credentials.login,
        navixyPassword: navixy.credentials.password,
      },
      dotenvNames(),
    );

    if (!options.keepData) removeSandboxDatabase(databaseUrl);
    say(`Preparing the sandbox ledger (${databaseUrl})...`);
    await run(bin("prisma"), ["migrate", "deploy"], env, false);

    say(`Adding the second dealer, ${DEMO_DEALER.name} (npm run dealers -- add ${DEMO_DEALER.slug})...`);
    await addDemoDealer(env, demoDealerValues({ stripeApiUrl: dealerStripe!.url, navixyApiUrl: dealerNavixy!.apiUrl }));

    if (options.rebuild || !fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
      say(options.rebuild ? "Building the app (--rebuild)..." : "No production build yet: building the app (next build, about a minute)...");
      await run(bin("next"), ["build"], env, true);
    }

    say(`Starting the app on port ${options.port}...`);
    const child = spawn(bin("next"), ["start", "-p", String(options.port)], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      detached: true, // its own process group, so stopping it stops everything it started
      stdio: ["ignore", "inherit", "inherit"],
    });
    app = child;
    child.once("error", (error) => {
      console.error(`next start could not be started: ${error.message}`);
      void stop(1);
    });
    child.once("exit", (code, signal) => {
      if (stopping) return;
      console.error(`The app stopped (${signal ?? `exit code ${code}`}); stopping the sandbox.`);
      void stop(code && code > 0 ? code : 1);
    });

    await waitForHealth(options.port, child);
    printWelcome(options, { stripe, navixy }, { stripe: dealerStripe!, navixy: dealerNavixy! }, login, databaseUrl);
  } catch (error) {
    console.error(error instanceof DemoError ? error.message : error);
    await stop(1);
  }
}

void main();
