/**
 * npm run bench [-- options]: the gateway against the framework's own floor (dev/bench/floor), on production
 * builds and the emulators, loopback only, bounded load only. Prints one markdown table and writes
 * dev/bench/results/latest.json. See docs/benchmarks.md.
 *
 *   --quick            short run for development (fewer events and pages, a 100,000-payment ledger)
 *   --seed N           only build the N-payment ledger (SQLite, and PostgreSQL when DATABASE_URL is one), then exit
 *   --scale N          ledger size for the scale comparison (full: 1000000, quick: 100000; 0 skips it)
 *   --only LIST        comma-separated subset of: webhook,checkout,scale,dealers (or one part of the dealers
 *                      suite: dealers.idle, dealers.many, dealers.noisy, dealers.pair, dealers.logs)
 *   --build            rebuild the gateway and the floor; --no-build never builds the gateway
 *   --cpu-prof         run the gateway under node --cpu-prof (profiles in dev/bench/results/profiles/)
 *   --worker-apart     with DATABASE_URL=postgresql://...: the webhook suite on PostgreSQL once more, the web server
 *                      with WORKER_IN_SERVER=false and the worker as its own process (`npm run worker`); its CPU and
 *                      RSS are the two processes' together
 *
 * DATABASE_URL=postgresql://... adds PostgreSQL figures (webhook and scale) next to SQLite's, in databases
 * bench_empty and bench_ledger_<N> of that server, and runs the dealers suite there instead of on SQLite (with its
 * two-instance part, which needs PostgreSQL).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../../lib/db/client";
import { RESULTS, ensureDirs, log, FLOOR_DIR, ROOT, WORK } from "./support/env";
import { cpuSeconds, ensureBuilds, floorEnv, freshSqlite, gatewayEnv, rssMb, startEmulators, startServer, type Emulators, type Server } from "./support/servers";
import { freshPostgresDatabase, migrateDatabase, sleep, startStandaloneWorker, withDatabase, type ManagedProcess } from "../testing/app-process";
import { preparePayments, type PreparedEvent } from "./support/payments";
import { firstLoadJs, ingest, pageTiming, paced, poolIngest, redeliveryLoad, type IngestResult, type PageTiming, type FirstLoadJs } from "./support/load";
import { creditLatencies, drain, listQueryTimings, removeRunRows, type QueryTimings } from "./support/ledger";
import { pgSeedDatabase, readPgSeed, readSqliteSeed, seedPostgres, seedSqlite, sqliteSeedPath, type SeedInfo } from "./support/seed";
import { median, type Summary } from "./support/stats";
import { f0, f1, f2, inAlternatingOrder, lat, mean, pass } from "./support/report";
import { DEALER_PARTS, dealersRows, dealersSuite, type DealerPart, type DealersResult, type StartedGateway } from "./dealers";

// ---- options ---------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const seedOnly = option("--seed");
const only = new Set((option("--only") ?? "webhook,checkout,scale,dealers").split(",").map((s) => s.trim()));
const dealerParts = new Set<DealerPart>(DEALER_PARTS.filter((p) => only.has("dealers") || only.has(`dealers.${p}`)));
for (const name of only) {
  if (!["webhook", "checkout", "scale", "dealers", ...DEALER_PARTS.map((p) => `dealers.${p}`)].includes(name)) throw new Error(`--only: unknown suite "${name}"`);
}
const scaleN = Number(option("--scale") ?? (quick ? 100_000 : 1_000_000));
const pgUrl = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") ? process.env.DATABASE_URL! : undefined;

const SIZE = quick
  ? { suiteWarmup: 500, perConcurrency: 300, warmup: 100, paced: 100, rate: 20, underLoad: 100, underLoadRate: 10, pageSeq: 200, pageConc: 600, rssPages: 2_000, webhookRounds: 1, scaleEvents: 300, scaleRounds: 2, queryIterations: 100 }
  : { suiteWarmup: 1_000, perConcurrency: 2_000, warmup: 200, paced: 300, rate: 20, underLoad: 300, underLoadRate: 10, pageSeq: 1_000, pageConc: 3_000, rssPages: 10_000, webhookRounds: 2, scaleEvents: 2_000, scaleRounds: 4, queryIterations: 500 };
// `--paced N`: N events per paced round instead, for a steadier CPU per event (its ±10% between quick runs is mostly
// the few hundred milliseconds of CPU it divides).
if (option("--paced")) SIZE.paced = Number(option("--paced"));
const CONCURRENCY = [1, 8, 32, 64];
const CHECKOUT_USER = 10001;

// ---- results ---------------------------------------------------------------------------------------------------

type Ingest = Omit<IngestResult, "okAt" | "samples">;
interface BurstResult {
  connections: number;
  gateway: Ingest;
  floor: Ingest;
  drainSeconds: number;
  credit: Summary;
  creditMissing: number;
}
interface WebhookSuite {
  database: string;
  bursts: BurstResult[];
  pacedCredit: { rate: number; events: number; credit: Summary; missing: number };
  /** CPU time of each server's process tree over its paced rounds (the gateway's until the last credit), per event. */
  cpu: { events: number; gateway: { seconds: number; cpuSeconds: number }; floor: { seconds: number; cpuSeconds: number } };
  /** Resident memory of each server right after the paced rounds. */
  rss: { gateway: number; floor: number };
  /** Real payments at a steady rate while a closed loop redelivers stored events: their credit latency. */
  underLoad: {
    rate: number;
    events: number;
    connections: number;
    credit: Summary;
    missing: number;
    redeliveries: { responses: number; non2xx: number; errors: number; perSecond: number; latency: Summary };
  };
}
interface ScaleSuite {
  database: string;
  payments: number;
  seed: SeedInfo;
  rounds: { empty: Ingest; large: Ingest; emptyDrain: number; largeDrain: number }[];
  pacedCredit: { empty: Summary; large: Summary };
  /** The console's list query on a small seeded ledger vs the large one (same rows returned). */
  queries: { smallPayments: number; small: QueryTimings; large: QueryTimings };
}
interface CheckoutResult {
  js: { gateway: FirstLoadJs; floor: FirstLoadJs };
  ttfb: { sequential: { gateway: PageTiming; floor: PageTiming }; concurrent: { gateway: PageTiming; floor: PageTiming }; floorStatic: PageTiming };
  rss: { pages: number; gateway: { before: number; after: number }; floor: { before: number; after: number } };
}
const results: {
  date: string;
  mode: "quick" | "full";
  machine: Record<string, unknown>;
  webhook: WebhookSuite[];
  checkout?: CheckoutResult;
  scale: ScaleSuite[];
  dealers?: DealersResult;
  runSeconds?: number;
  table?: string;
} = {
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 1e9), node: process.version, next: readVersion("next"), react: readVersion("react"), prisma: readVersion("@prisma/client") },
  webhook: [],
  scale: [],
};

function readVersion(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

const strip = (r: IngestResult): Ingest => {
  const { okAt: _okAt, samples: _samples, ...rest } = r;
  return rest;
};

// ---- processes -------------------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
process.on("SIGTERM", () => void cleanup().then(() => process.exit(143)));

/** `next start` of the gateway on `databaseUrl`, ready once /api/health answers 200; `env` on top of the bench's settings. */
async function startGateway(emu: Emulators, name: string, databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<StartedGateway> {
  const profDir = path.join(RESULTS, "profiles");
  if (flag("--cpu-prof")) fs.mkdirSync(profDir, { recursive: true });
  const spawned = performance.now();
  const server = await startServer({
    name,
    env: gatewayEnv(emu, databaseUrl, 0, env),
    readyPath: "/api/health",
    ready: (res) => res.status === 200,
    timeoutMs: 120_000,
    nodeArgs: [...nodeArgs, ...(flag("--cpu-prof") ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [])],
  });
  const startSeconds = (performance.now() - spawned) / 1000;
  const { db } = createDb(databaseUrl);
  cleanups.push(async () => {
    await server.stop();
    await db.$disconnect();
  });
  return { server, db, startSeconds };
}

async function startFloor(emu: Emulators): Promise<Server> {
  const server = await startServer({ name: "floor", dir: path.relative(ROOT, FLOOR_DIR), env: floorEnv(emu), readyPath: "/" });
  cleanups.push(() => server.stop());
  return server;
}

// ---- webhook ingest and credit latency ----------------------------------------------------------------------------

/** `npm run worker` on `databaseUrl`, for a web server started with WORKER_IN_SERVER=false. */
async function startWorkerApart(emu: Emulators, databaseUrl: string): Promise<ManagedProcess> {
  const proc = await startStandaloneWorker({ name: "worker-apart", env: gatewayEnv(emu, databaseUrl, 0), logFile: path.join(WORK, "worker-apart.log") });
  cleanups.push(() => proc.stop());
  return proc;
}

async function webhookSuite(
  emu: Emulators,
  floor: Server,
  database: string,
  databaseUrl: string,
  opts: { workerApart?: boolean } = {},
): Promise<{ suite: WebhookSuite; gateway: Server }> {
  log(`webhook suite on ${database}`);
  const { server: gateway, db } = await startGateway(emu, `gateway-${database.replace(/\W+/g, "-")}`, databaseUrl, opts.workerApart ? { WORKER_IN_SERVER: "false" } : {});
  const apart = opts.workerApart ? await startWorkerApart(emu, databaseUrl) : undefined;
  // The gateway's processes: the web server's tree, and the worker's when it runs apart.
  const pids = [gateway.child.pid!, ...(apart ? [apart.child.pid!] : [])];
  const gatewayCpuSeconds = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const gatewayRssMb = () => pids.reduce((sum, pid) => sum + rssMb(pid), 0);
  const webhook = `${gateway.url}/api/stripe/webhook`;
  const floorWebhook = `${floor.url}/api/webhook`;
  const bursts: BurstResult[] = [];
  /** The c=32 step's measured events, stored by then: redelivered in the load below. */
  let storedEvents: PreparedEvent[] = [];
  // Both servers warm before the first step: the floor has already served the suites before this one, and a gateway
  // just started would otherwise be measured at c=1 while its code is still being compiled.
  const suiteWarmup = await preparePayments(db, emu.stripeUrl, SIZE.suiteWarmup);
  await ingest(floorWebhook, suiteWarmup, 8);
  await ingest(webhook, suiteWarmup, 8);
  await drain(db);
  for (const c of CONCURRENCY) {
    // Each step's payments are prepared right before it: one left waiting longer than SWEEP_AFTER_MS would be
    // credited by the worker's sweep before its event arrives.
    const events = await preparePayments(db, emu.stripeUrl, (SIZE.warmup + SIZE.perConcurrency) * SIZE.webhookRounds);
    let offset = 0;
    const take = (n: number) => events.slice(offset, (offset += n));
    // A step is SIZE.webhookRounds rounds, alternating which server goes first, pooled: a single 2,000-event
    // run of the floor moves by ±30% from one step to the next on this machine.
    const floorRuns: IngestResult[] = [];
    const ourRuns: IngestResult[] = [];
    const drains: number[] = [];
    for (let r = 0; r < SIZE.webhookRounds; r++) {
      const warm = take(SIZE.warmup);
      const measured = take(SIZE.perConcurrency);
      if (c === 32) storedEvents = storedEvents.concat(measured);
      // The floor stores nothing: it may see the same events as ours.
      const runFloor = async () => {
        await ingest(floorWebhook, warm, c);
        floorRuns.push(await ingest(floorWebhook, measured, c));
      };
      // Ours after its worker has finished the warm-up's events, then until it has credited the measured ones.
      const runOurs = async () => {
        await ingest(webhook, warm, c);
        await drain(db);
        ourRuns.push(await ingest(webhook, measured, c));
        drains.push(await drain(db));
      };
      await inAlternatingOrder(r, runFloor, runOurs);
    }
    const ours = poolIngest(ourRuns);
    const floorResult = poolIngest(floorRuns);
    const drainSeconds = drains.reduce((a, b) => a + b, 0) / drains.length;
    const credit = await creditLatencies(emu.navixyUrl, ours.okAt);
    bursts.push({ connections: c, gateway: strip(ours), floor: strip(floorResult), drainSeconds, credit: credit.summary, creditMissing: credit.missing });
    log(
      `c=${c}: gateway ${ourRuns.map((r) => r.perSecond.toFixed(0)).join(" + ")} → ${ours.perSecond.toFixed(0)}/s p99 ${ours.latency.p99.toFixed(1)} ms (${ours.non2xx} non-2xx), floor ${floorRuns.map((r) => r.perSecond.toFixed(0)).join(" + ")} → ${floorResult.perSecond.toFixed(0)}/s p99 ${floorResult.latency.p99.toFixed(1)} ms; drain ${drainSeconds.toFixed(1)} s, credit p50 ${credit.summary.p50} ms`,
    );
    await sleep(500);
  }

  // Paced rounds at SIZE.rate, alternating which server goes first: credit latency, and the CPU each server's process
  // tree used for them (the gateway's until its last credit), nothing subtracted.
  const gatewayCpu = { seconds: 0, cpuSeconds: 0 };
  const floorCpu = { seconds: 0, cpuSeconds: 0 };
  const pacedOkAt = new Map<string, number>();
  let pacedCount = 0;
  for (let r = 0; r < SIZE.webhookRounds; r++) {
    const pacedEvents = await preparePayments(db, emu.stripeUrl, SIZE.paced);
    pacedCount += pacedEvents.length;
    const runOurs = async () => {
      const cpu0 = gatewayCpuSeconds();
      const t0 = performance.now();
      const okAt = await paced(webhook, pacedEvents, SIZE.rate);
      await drain(db);
      gatewayCpu.cpuSeconds += gatewayCpuSeconds() - cpu0;
      gatewayCpu.seconds += (performance.now() - t0) / 1000;
      for (const [pi, at] of okAt) pacedOkAt.set(pi, at);
    };
    const runFloor = async () => {
      const cpu0 = cpuSeconds(floor.child.pid!);
      const t0 = performance.now();
      await paced(floorWebhook, pacedEvents, SIZE.rate);
      floorCpu.cpuSeconds += cpuSeconds(floor.child.pid!) - cpu0;
      floorCpu.seconds += (performance.now() - t0) / 1000;
    };
    await inAlternatingOrder(r, runOurs, runFloor);
  }
  const pacedCredit = await creditLatencies(emu.navixyUrl, pacedOkAt);
  const rss = { gateway: gatewayRssMb(), floor: rssMb(floor.child.pid!) };
  log(
    `paced ${SIZE.rate}/s: credit p50 ${pacedCredit.summary.p50} ms, p99 ${pacedCredit.summary.p99} ms (${pacedCredit.missing} missing); CPU ${((gatewayCpu.cpuSeconds / pacedCount) * 1000).toFixed(2)} vs floor ${((floorCpu.cpuSeconds / pacedCount) * 1000).toFixed(2)} ms/event; RSS ${rss.gateway.toFixed(0)} vs ${rss.floor.toFixed(0)} MB`,
  );

  // Real payments at SIZE.underLoadRate while a closed loop of 32 connections redelivers stored events.
  const underLoadEvents = await preparePayments(db, emu.stripeUrl, SIZE.underLoad);
  const load = redeliveryLoad(webhook, storedEvents, 32);
  await sleep(1_000); // the loop at its pace first
  const underLoadOkAt = await paced(webhook, underLoadEvents, SIZE.underLoadRate);
  await drain(db);
  const redeliveries = await load.stop();
  await drain(db);
  const underLoadCredit = await creditLatencies(emu.navixyUrl, underLoadOkAt);
  log(
    `credits at ${SIZE.underLoadRate}/s under a c=32 redelivery load (${redeliveries.perSecond.toFixed(0)} redeliveries/s, ${redeliveries.non2xx} non-2xx): p50 ${underLoadCredit.summary.p50} ms, p99 ${underLoadCredit.summary.p99} ms (${underLoadCredit.missing} missing)`,
  );
  await apart?.stop();
  const { responses, non2xx, errors, perSecond, latency } = redeliveries;
  return {
    suite: {
      database,
      bursts,
      pacedCredit: { rate: SIZE.rate, events: pacedCount, credit: pacedCredit.summary, missing: pacedCredit.missing },
      cpu: { events: pacedCount, gateway: gatewayCpu, floor: floorCpu },
      rss,
      underLoad: {
        rate: SIZE.underLoadRate,
        events: underLoadEvents.length,
        connections: 32,
        credit: underLoadCredit.summary,
        missing: underLoadCredit.missing,
        redeliveries: { responses, non2xx, errors, perSecond, latency },
      },
    },
    gateway,
  };
}

// ---- checkout page -------------------------------------------------------------------------------------------------

async function checkoutSuite(gateway: Server, floor: Server): Promise<CheckoutResult> {
  log("checkout suite");
  const ours = `/?id=${CHECKOUT_USER}`;
  const theirs = `/user?id=${CHECKOUT_USER}`;
  const js = { gateway: await firstLoadJs(gateway.url, ours), floor: await firstLoadJs(floor.url, theirs) };
  const rssBefore = { gateway: rssMb(gateway.child.pid!), floor: rssMb(floor.child.pid!) };
  // Warm both (JIT, session, caches), then alternate.
  await pageTiming(gateway.url, ours, 100, 4);
  await pageTiming(floor.url, theirs, 100, 4);
  const seqFloor = await pageTiming(floor.url, theirs, SIZE.pageSeq, 1);
  const seqOurs = await pageTiming(gateway.url, ours, SIZE.pageSeq, 1);
  const conFloor = await pageTiming(floor.url, theirs, SIZE.pageConc, 8);
  const conOurs = await pageTiming(gateway.url, ours, SIZE.pageConc, 8);
  const floorStatic = await pageTiming(floor.url, "/", SIZE.pageSeq, 1);
  // Up to rssPages page requests in all, then resident memory.
  const done = 100 + SIZE.pageSeq + SIZE.pageConc;
  if (SIZE.rssPages > done) {
    await pageTiming(gateway.url, ours, SIZE.rssPages - done, 8);
    await pageTiming(floor.url, theirs, SIZE.rssPages - done, 8);
  }
  await sleep(1000);
  const rss = {
    pages: Math.max(SIZE.rssPages, done),
    gateway: { before: rssBefore.gateway, after: rssMb(gateway.child.pid!) },
    floor: { before: rssBefore.floor, after: rssMb(floor.child.pid!) },
  };
  log(`checkout: JS ${js.gateway.gzip} vs ${js.floor.gzip} B gz; TTFB p50 ${seqOurs.ttfb.p50.toFixed(1)} vs ${seqFloor.ttfb.p50.toFixed(1)} ms; RSS ${rss.gateway.after.toFixed(0)} vs ${rss.floor.after.toFixed(0)} MB`);
  return { js, ttfb: { sequential: { gateway: seqOurs, floor: seqFloor }, concurrent: { gateway: conOurs, floor: conFloor }, floorStatic }, rss };
}

// ---- ledger scale --------------------------------------------------------------------------------------------------

async function ensureSeed(provider: "sqlite" | "postgres", n: number): Promise<SeedInfo> {
  if (provider === "sqlite") {
    const existing = readSqliteSeed(n);
    if (existing) return existing;
    log(`no ${n}-payment SQLite ledger yet: seeding ${sqliteSeedPath(n)}`);
    return seedSqlite(n);
  }
  const existing = await readPgSeed(pgUrl!, n);
  if (existing) return existing;
  log(`no ${n}-payment PostgreSQL ledger yet: seeding database ${pgSeedDatabase(n)}`);
  return seedPostgres(pgUrl!, n);
}

async function scaleSuite(emu: Emulators, database: "sqlite" | "postgres"): Promise<ScaleSuite> {
  const seed = await ensureSeed(database, scaleN);
  const url = database === "sqlite" ? `file:${sqliteSeedPath(scaleN)}` : withDatabase(pgUrl!, pgSeedDatabase(scaleN));
  migrateDatabase(url); // a migration added since the seed
  {
    const { db } = createDb(url);
    const removed = await removeRunRows(db, new Date(seed.seedEnd));
    if (removed) log(`removed ${removed} rows an earlier run added to the seeded ledger`);
    await db.$disconnect();
  }
  log(`scale suite on ${database}: ${scaleN} payments`);
  const large = await startGateway(emu, `gateway-${database}-${scaleN}`, url);
  // Its counterpart: the same server on an empty ledger, started now too, so that the two differ only in the
  // ledger's size (not in how long each process has run, its JIT or its caches).
  const emptyUrl = database === "sqlite" ? freshSqlite(`scale-empty-${database}`) : await freshPostgresDatabase(pgUrl!, "bench_scale_empty");
  const empty = await startGateway(emu, `gateway-${database}-empty`, emptyUrl);
  const c = 32;
  /**
   * One ledger's server and its own events, each burst's prepared right before it (a payment left waiting longer
   * than SWEEP_AFTER_MS would be credited by the sweep before its event arrives).
   */
  const ledger = (g: { server: Server; db: Db }) => {
    const webhook = `${g.server.url}/api/stripe/webhook`;
    return {
      /** An unmeasured burst of `warmup` events (if any), a measured one of SIZE.scaleEvents, then the worker's drain. */
      burst: async (warmup: number) => {
        const events = await preparePayments(g.db, emu.stripeUrl, warmup + SIZE.scaleEvents);
        if (warmup > 0) await ingest(webhook, events.slice(0, warmup), c);
        const result = await ingest(webhook, events.slice(warmup), c);
        return { result, drained: await drain(g.db) };
      },
      paced: async () => {
        const okAt = await paced(webhook, await preparePayments(g.db, emu.stripeUrl, SIZE.paced), SIZE.rate);
        await drain(g.db);
        return okAt;
      },
    };
  };
  const largeLedger = ledger(large);
  const emptyLedger = ledger(empty);
  // One whole unmeasured round on each server first: the comparison is of the two in steady state.
  await largeLedger.burst(0);
  await emptyLedger.burst(0);
  const rounds: ScaleSuite["rounds"] = [];
  for (let r = 0; r < SIZE.scaleRounds; r++) {
    // Each measured burst right after an unmeasured one of SIZE.warmup events, as in the webhook suite; rounds
    // alternate which ledger goes first.
    const [e, l] = await inAlternatingOrder(r, () => emptyLedger.burst(SIZE.warmup), () => largeLedger.burst(SIZE.warmup));
    rounds.push({ empty: strip(e.result), large: strip(l.result), emptyDrain: e.drained, largeDrain: l.drained });
    log(`scale round ${r + 1}: empty ${e.result.perSecond.toFixed(0)}/s p99 ${e.result.latency.p99.toFixed(1)} ms, ${scaleN} ${l.result.perSecond.toFixed(0)}/s p99 ${l.result.latency.p99.toFixed(1)} ms`);
  }
  const emptyPaced = await emptyLedger.paced();
  const largePaced = await largeLedger.paced();
  const pacedCredit = {
    empty: (await creditLatencies(emu.navixyUrl, emptyPaced)).summary,
    large: (await creditLatencies(emu.navixyUrl, largePaced)).summary,
  };
  const smallPayments = 10_000;
  await ensureSeed(database, smallPayments);
  const smallUrl = database === "sqlite" ? `file:${sqliteSeedPath(smallPayments)}` : withDatabase(pgUrl!, pgSeedDatabase(smallPayments));
  const small = createDb(smallUrl).db;
  const queries = { smallPayments, small: await listQueryTimings(small, SIZE.queryIterations), large: await listQueryTimings(large.db, SIZE.queryIterations) };
  await small.$disconnect();
  await large.server.stop();
  await empty.server.stop();
  return { database, payments: scaleN, seed, rounds, pacedCredit, queries };
}

// ---- the table ----------------------------------------------------------------------------------------------------

function table(): string {
  const rows: string[][] = [];
  const row = (...cells: string[]) => rows.push(cells);
  for (const s of results.webhook) {
    for (const b of s.bursts) {
      const ratio = b.gateway.perSecond / b.floor.perSecond;
      row(`Webhook ingest, c=${b.connections} (${s.database})`, "events/s", f0(b.gateway.perSecond), f0(b.floor.perSecond), `${f2(ratio)}×`, "≥ 0.9× floor", pass(ratio >= 0.9));
      const p99Target = b.connections === 32 && s.database === "sqlite";
      row(
        `Webhook ingest, c=${b.connections} (${s.database})`,
        "latency p50 / p95 / p99 ms",
        lat(b.gateway.latency),
        lat(b.floor.latency),
        `${f2(b.gateway.latency.p99 / b.floor.latency.p99)}× (p99)`,
        p99Target ? "p99 < 100 ms" : "",
        p99Target ? pass(b.gateway.latency.p99 < 100) : "",
      );
      row(`Credits after the c=${b.connections} burst (${s.database})`, "2xx → Navixy p50 / p95 / p99 ms; drain", `${lat(b.credit)}; ${f1(b.drainSeconds)} s`, "", "", "context (queueing)", b.creditMissing ? `${b.creditMissing} missing` : "");
    }
    const pc = s.pacedCredit;
    row(`Credit latency, ${pc.rate} events/s (${s.database})`, "2xx → Navixy p50 / p95 / p99 ms", lat(pc.credit), "", "", "p50 < 50 ms", pass(pc.credit.p50 < 50 && pc.missing === 0));
    const perEvent = (x: { cpuSeconds: number }) => (x.cpuSeconds / s.cpu.events) * 1000;
    const cpuRatio = perEvent(s.cpu.gateway) / perEvent(s.cpu.floor);
    row(
      `Server CPU per event, ${pc.rate} events/s (${s.database})`,
      `ms per credited vs verified event, ${s.cpu.events} events`,
      f2(perEvent(s.cpu.gateway)),
      f2(perEvent(s.cpu.floor)),
      `${f2(cpuRatio)}×`,
      "≤ 3× floor",
      pass(cpuRatio <= 3),
    );
    const rssRatio = s.rss.gateway / s.rss.floor;
    row(`Server RSS after the paced run (${s.database})`, "MB", f0(s.rss.gateway), f0(s.rss.floor), `${f2(rssRatio)}×`, "≤ 1.5× floor", pass(rssRatio <= 1.5));
    const u = s.underLoad;
    row(
      `Credit latency, ${u.rate} payments/s under a c=${u.connections} redelivery load (${s.database})`,
      "2xx → Navixy p50 / p95 / p99 ms",
      lat(u.credit),
      "",
      "",
      "p50 < 200 ms",
      u.missing ? `**${u.missing} missing**` : pass(u.credit.p50 < 200),
    );
    row(
      `Redeliveries during it (${s.database})`,
      "events/s; latency p50 / p95 / p99 ms",
      `${f0(u.redeliveries.perSecond)}; ${lat(u.redeliveries.latency)}`,
      "",
      "",
      "context",
      u.redeliveries.non2xx + u.redeliveries.errors ? `${u.redeliveries.non2xx} non-2xx, ${u.redeliveries.errors} errors` : "",
    );
  }
  const c = results.checkout;
  if (c) {
    const kb = (b: number) => `${f1(b / 1024)} KB`;
    const diff = c.js.gateway.gzip - c.js.floor.gzip;
    row("Checkout first-load JS (gzip)", `${c.js.gateway.scripts.length} vs ${c.js.floor.scripts.length} scripts`, kb(c.js.gateway.gzip), kb(c.js.floor.gzip), `+${kb(diff)}`, "≤ floor + 60 KB", pass(diff <= 60 * 1024));
    const sq = c.ttfb.sequential;
    const r1 = sq.gateway.ttfb.p50 / sq.floor.ttfb.p50;
    row("Checkout TTFB, sequential", "p50 / p95 / p99 ms", lat(sq.gateway.ttfb), lat(sq.floor.ttfb), `${f2(r1)}× (p50)`, "≤ 1.5× floor", pass(r1 <= 1.5));
    const cc = c.ttfb.concurrent;
    const r8 = cc.gateway.ttfb.p50 / cc.floor.ttfb.p50;
    row("Checkout TTFB, c=8", "p50 / p95 / p99 ms", lat(cc.gateway.ttfb), lat(cc.floor.ttfb), `${f2(r8)}× (p50)`, "≤ 1.5× floor", pass(r8 <= 1.5));
    row("Checkout pages/s, c=8", "pages/s", f0(cc.gateway.perSecond), f0(cc.floor.perSecond), `${f2(cc.gateway.perSecond / cc.floor.perSecond)}×`, "context", "");
    row("Floor static page, sequential", "TTFB p50 / p95 / p99 ms", "", lat(c.ttfb.floorStatic.ttfb), "", "context", "");
    row(`Server RSS after ${c.rss.pages} pages`, "MB (before → after)", `${f0(c.rss.gateway.before)} → ${f0(c.rss.gateway.after)}`, `${f0(c.rss.floor.before)} → ${f0(c.rss.floor.after)}`, `${f2(c.rss.gateway.after / c.rss.floor.after)}×`, "context", "");
  }
  for (const s of results.scale) {
    const n = s.payments.toLocaleString("en");
    const emptyRate = mean(s.rounds.map((r) => r.empty.perSecond));
    const largeRate = mean(s.rounds.map((r) => r.large.perSecond));
    const rateRatio = emptyRate / largeRate;
    row(`Ledger ${n} vs empty (${s.database}): webhook c=32`, "events/s", f0(largeRate), f0(emptyRate), `${f2(rateRatio)}× cost`, "≤ 1.2", pass(rateRatio <= 1.2));
    // A round's p99 at c=32 swings by ±40% on the same server (one stall of the machine moves it): the median
    // of the rounds is compared, each side's range shown.
    const lp = s.rounds.map((r) => r.large.latency.p99);
    const ep = s.rounds.map((r) => r.empty.latency.p99);
    const range = (xs: number[]) => `${f1(median(xs))} (${f1(Math.min(...xs))}–${f1(Math.max(...xs))})`;
    const p99Ratio = median(lp) / median(ep);
    row(`Ledger ${n} vs empty (${s.database}): webhook c=32`, `p99 ms, median (range) of ${s.rounds.length} rounds`, range(lp), range(ep), `${f2(p99Ratio)}×`, "≤ 1.2", pass(p99Ratio <= 1.2));
    const ld = mean(s.rounds.map((r) => r.largeDrain));
    const ed = mean(s.rounds.map((r) => r.emptyDrain));
    row(`Ledger ${n} vs empty (${s.database}): worker drain after burst`, "s", f2(ld), f2(ed), `${f2(ld / ed)}×`, "context", "");
    const cr = s.pacedCredit.large.p50 / s.pacedCredit.empty.p50;
    row(`Ledger ${n} vs empty (${s.database}): credit latency ${SIZE.rate}/s`, "p50 / p95 / p99 ms", lat(s.pacedCredit.large), lat(s.pacedCredit.empty), `${f2(cr)}× (p50)`, "≤ 1.2", pass(cr <= 1.2));
    const sn = s.queries.smallPayments.toLocaleString("en");
    for (const [label, large] of Object.entries(s.queries.large.pages)) {
      const smallQ = s.queries.small.pages[label]!;
      const qr = large.p50 / smallQ.p50;
      row(`Ledger ${n} vs ${sn} (${s.database}): console list, ${label}`, "p50 / p95 / p99 ms", lat(large), lat(smallQ), `${f2(qr)}× (p50)`, "≤ 1.2", pass(qr <= 1.2));
    }
  }
  if (results.dealers) dealersRows(results.dealers, row);
  const header = ["measure", "unit", "gateway", "floor / baseline", "ratio", "target", "result"];
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  ensureDirs();
  if (seedOnly !== undefined) {
    const n = Number(seedOnly);
    if (!Number.isInteger(n) || n <= 0) throw new Error("--seed takes a number of payments");
    seedSqlite(n);
    if (pgUrl) await seedPostgres(pgUrl, n);
    return;
  }
  ensureBuilds({ force: flag("--build"), skip: flag("--no-build"), floor: only.has("webhook") || only.has("checkout") });
  const emu = await startEmulators();
  cleanups.push(async () => {
    emu.process.kill("SIGTERM");
  });
  // The floor serves the webhook and checkout suites only, and is stopped before the dealers suite measures idle CPU.
  const floor = only.has("webhook") || only.has("checkout") ? await startFloor(emu) : undefined;

  const databases: { name: "sqlite" | "postgres"; url: () => Promise<string> }[] = [{ name: "sqlite", url: async () => freshSqlite("gateway-sqlite") }];
  if (pgUrl) {
    databases.push({
      name: "postgres",
      url: () => freshPostgresDatabase(pgUrl, "bench_empty"),
    });
  }

  for (const d of databases) {
    if (!only.has("webhook") && !only.has("scale") && !(only.has("checkout") && d.name === "sqlite")) continue;
    const needsGateway = only.has("webhook") || (d.name === "sqlite" && only.has("checkout"));
    const url = needsGateway ? await d.url() : "";
    let gateway: Server | undefined;
    if (only.has("webhook")) {
      const w = await webhookSuite(emu, floor!, d.name, url);
      results.webhook.push(w.suite);
      gateway = w.gateway;
    }
    if (d.name === "sqlite" && only.has("checkout")) {
      gateway ??= (await startGateway(emu, `gateway-${d.name}`, url)).server;
      results.checkout = await checkoutSuite(gateway, floor!);
    }
    await gateway?.stop();
    if (only.has("scale") && scaleN > 0) results.scale.push(await scaleSuite(emu, d.name));
  }
  if (flag("--worker-apart")) {
    if (!pgUrl || !only.has("webhook")) throw new Error("--worker-apart needs DATABASE_URL=postgresql://... and the webhook suite");
    const w = await webhookSuite(emu, floor!, "postgres, worker apart", await freshPostgresDatabase(pgUrl, "bench_empty"), { workerApart: true });
    results.webhook.push(w.suite);
    await w.gateway.stop();
  }
  await floor?.stop();

  if (dealerParts.size > 0) {
    results.dealers = await dealersSuite({
      emu,
      quick,
      parts: dealerParts,
      pgUrl,
      startGateway: (name, databaseUrl, env, nodeArgs) => startGateway(emu, name, databaseUrl, env, nodeArgs),
    });
  }

  results.runSeconds = Math.round((Date.now() - started) / 1000);
  results.table = table();
  fs.writeFileSync(path.join(RESULTS, "latest.json"), JSON.stringify(results, null, 2));
  process.stdout.write(
    `\nBenchmarks ${results.date.slice(0, 10)} (${results.mode}; ${results.machine.cpus} × ${String(results.machine.cpu)}, Node ${process.version}, Next.js ${String(results.machine.next)}; ${results.runSeconds} s)\n\n${results.table}\n\nFull results: ${path.relative(ROOT, path.join(RESULTS, "latest.json"))}\n`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  })
  .finally(() => void cleanup());

