/**
 * The dealers suite (`npm run bench -- --only dealers`, or one part: dealers.idle, dealers.many, dealers.noisy, dealers.pair,
 * dealers.logs): what hosted dealers cost a gateway that serves them. Dealers are rows written straight into the
 * Dealer table (support/dealers.ts), all on the shared emulators, on SQLite, or on PostgreSQL when DATABASE_URL is
 * one. See docs/benchmarks.md, "What is measured".
 *
 *   idle   1,000 idle hosted dealers vs none: the same gateway build started on each ledger in turn (alternating
 *          order per round): start time, idle CPU and RSS, the default dealer's paced credit latency and ingest.
 *   many   10,000 dealers: start time; RSS while payments go through 50 of them in turn, DEALER_CACHE_SIZE=20.
 *   noisy  one dealer owed 5,000 credits whose Navixy takes 150 ms per change_balance, while 20 others pay at
 *          1 event/s each: their credit latency with vs without that backlog, and the backlog's drain rate.
 *   pair   PostgreSQL only: two instances, 1,000 dealers, a burst delivered to one of them: every credit exactly
 *          once, and how many each instance's worker made.
 *   logs   in this process: a log line of the credit path with the secrets of 0, 1,000 and 10,000 dealers registered
 *          (each opened dealer's are; the logger scrubs every string of every line of all of them).
 */
import { Writable } from "node:stream";
import { createDb, type Db } from "../../lib/db/client";
import { createLogger, registerLogSecrets } from "../../lib/logging/logger";
import { freePort, freshPostgresDatabase, sleep } from "../testing/app-process";
import { log } from "./support/env";
import { heapAfterGcMb } from "./support/heap";
import { cpuSeconds, freshSqlite, gatewayEnv, rssMb, type Emulators, type Server } from "./support/servers";
import { preparePayments, type EventDealer, type PreparedEvent } from "./support/payments";
import { ingest, paced, type IngestResult } from "./support/load";
import { drain, exactlyOnce, recordedCredits, recordedLatencies, startCreditRecording, stopCreditRecording } from "./support/ledger";
import {
  appliedLines,
  benchSecretsKey,
  clearNavixyFaults,
  insertDealers,
  insertOwedCredits,
  navixyFault,
  navixyUsers,
  payThroughPage,
} from "./support/dealers";
import { f0, f1, f2, inAlternatingOrder, lat, mean, pass, type Row } from "./support/report";
import { median, summarize, type Summary } from "./support/stats";

export const DEALER_PARTS = ["idle", "many", "noisy", "pair", "logs"] as const;
export type DealerPart = (typeof DEALER_PARTS)[number];

export interface StartedGateway {
  server: Server;
  db: Db;
  /** Spawn → the first 200 from /api/health. */
  startSeconds: number;
}

export interface DealersContext {
  emu: Emulators;
  quick: boolean;
  parts: ReadonlySet<DealerPart>;
  /** PostgreSQL server URL when DATABASE_URL is one: the suite then runs there (and "pair" can run). */
  pgUrl: string | undefined;
  /** Starts the gateway on `databaseUrl` with the bench's settings and `env` on top; stopped at exit if still up. */
  startGateway(name: string, databaseUrl: string, env: Record<string, string>, nodeArgs?: string[]): Promise<StartedGateway>;
}

const sizes = (quick: boolean) =>
  quick
    ? { idleDealers: 1_000, idleRounds: 1, warmSeconds: 5, idleSeconds: 10, paced: 60, rate: 20, ingestWarmup: 100, ingest: 300, connections: 8, many: 10_000, manyPaid: 30, manyCache: 10, manyVisited: 300, backlog: 1_500, steadyDealers: 20, steadySeconds: 15, noisyRounds: 1, navixyDelayMs: 150, pairDealers: 1_000, pairBurst: 400, pairBurstDealers: 20 }
    : { idleDealers: 1_000, idleRounds: 2, warmSeconds: 10, idleSeconds: 30, paced: 300, rate: 20, ingestWarmup: 200, ingest: 2_000, connections: 8, many: 10_000, manyPaid: 50, manyCache: 20, manyVisited: 2_000, backlog: 5_000, steadyDealers: 20, steadySeconds: 60, noisyRounds: 2, navixyDelayMs: 150, pairDealers: 1_000, pairBurst: 2_000, pairBurstDealers: 20 };

// ---- results ---------------------------------------------------------------------------------------------------

type Ingest = Omit<IngestResult, "okAt" | "samples">;

/** One gateway's life in the idle part: started, left idle, then paid through. */
export interface IdleRun {
  dealers: number;
  startSeconds: number;
  idle: { seconds: number; cpuSeconds: number; cpuPercent: number };
  rssAfterIdle: number;
  rssAfterLoad: number;
  pacedCredit: Summary;
  pacedMissing: number;
  ingest: Ingest;
}

export interface DealersResult {
  database: "sqlite" | "postgres";
  idle?: { dealers: number; rate: number; connections: number; none: IdleRun[]; many: IdleRun[] };
  many?: {
    dealers: number;
    paid: number;
    /** Dealers whose checkout page alone was shown after the payments. */
    visited: number;
    /** DEALER_CACHE_SIZE below the dealers paid. */
    bounded: CacheRun;
    /** DEALER_CACHE_SIZE = the dealers paid: every one kept. */
    keepsAll: CacheRun;
    pageMs: Summary;
    credit: Summary;
    lost: number;
    doubled: number;
  };
  noisy?: {
    backlog: number;
    navixyDelayMs: number;
    steadyDealers: number;
    rate: number;
    quiet: Summary;
    noisy: Summary;
    missing: number;
    rounds: { quiet: Summary; noisy: Summary; drainPerSecond: number; drainSeconds: number; lost: number; doubled: number }[];
  };
  pair?: {
    dealers: number;
    burst: number;
    ingest: Ingest;
    drainSeconds: number;
    lost: number;
    doubled: number;
    instances: { name: string; workers: string[]; credits: number; idleSeconds: number }[];
    backlogSeconds: number;
  };
  /** Microseconds per log line with the secrets of this many dealers registered. */
  logs?: { dealers: number; microsPerLine: number }[];
}

const strip = (r: IngestResult): Ingest => {
  const { okAt: _okAt, samples: _samples, ...rest } = r;
  return rest;
};

// ---- logs: a log line with many dealers' secrets registered ------------------------------------------------------------

/** Five secrets per dealer, as an opened dealer registers them (Stripe keys, webhook secret, Navixy password and hash). */
function logsPart(quick: boolean): NonNullable<DealersResult["logs"]> {
  const lines = quick ? 2_000 : 10_000;
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const logger = createLogger({ destination: sink, secrets: ["sk_test_environment_key_0123"], level: "info" });
  const owners: string[] = [];
  const out: NonNullable<DealersResult["logs"]> = [];
  try {
    for (const dealers of [0, 1_000, 10_000]) {
      for (let i = owners.length; i < dealers; i++) {
        const owner = `dealer:bench-logs-${i}`;
        owners.push(owner);
        registerLogSecrets(owner, [`sk_test_${i}_a1b2c3d4e5`, `rk_test_${i}_a1b2c3d4e5`, `whsec_${i}_a1b2c3d4e5`, `navixy-pw-${i}-a1b2`, `hash${i}a1b2c3d4e5f6`]);
      }
      const line = (k: number) =>
        logger.info(
          { paymentId: `pay_01m98fvk0a57n8kf7hsa9b${k}`, movementId: "mv_01m98fvk6f2akm3r1yt3hqpmhe", kind: "credit", attempt: 1, navixyUserId: 10001, amount: 2500, currency: "eur", dealer: "dealer-b" },
          "balance movement applied",
        );
      for (let k = 0; k < 200; k++) line(k); // warm
      const t0 = performance.now();
      for (let k = 0; k < lines; k++) line(k);
      out.push({ dealers, microsPerLine: ((performance.now() - t0) * 1000) / lines });
      log(`logs: ${dealers} dealers' secrets registered: ${out.at(-1)!.microsPerLine.toFixed(0)} µs per log line`);
    }
  } finally {
    for (const owner of owners) registerLogSecrets(owner, [], 0);
  }
  return out;
}

// ---- helpers --------------------------------------------------------------------------------------------------------

async function freshDatabase(ctx: DealersContext, name: string): Promise<string> {
  return ctx.pgUrl ? freshPostgresDatabase(ctx.pgUrl, `bench_${name.replace(/-/g, "_")}`) : freshSqlite(name);
}

/** Events of several dealers in turn (one of each, then the next of each): each dealer's share of a paced rate. */
function interleave(perDealer: PreparedEvent[][]): PreparedEvent[] {
  const out: PreparedEvent[] = [];
  const longest = Math.max(0, ...perDealer.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of perDealer) if (i < list.length) out.push(list[i]!);
  return out;
}

async function prepareFor(db: Db, emu: Emulators, dealers: readonly EventDealer[], users: readonly number[], perDealer: number): Promise<PreparedEvent[]> {
  const lists: PreparedEvent[][] = [];
  for (let i = 0; i < dealers.length; i++) lists.push(await preparePayments(db, emu.stripeUrl, perDealer, { dealer: dealers[i]!, users: [users[i]!] }));
  return interleave(lists);
}

/** Sends `events` at `rate`/s and waits until the worker has credited them; latencies from the credit recorder. */
async function pacedCredits(emu: Emulators, server: Server, db: Db, events: PreparedEvent[], rate: number): Promise<{ credit: Summary; missing: number }> {
  const okAt = await paced(`${server.url}/api/stripe/webhook`, events, rate);
  await drain(db);
  await sleep(300); // the recorder reads the call log every 250 ms
  const { summary, missing } = recordedLatencies(await recordedCredits(emu.recorderUrl), okAt);
  return { credit: summary, missing };
}

// ---- idle: 1,000 hosted dealers vs none ------------------------------------------------------------------------------

async function idlePart(ctx: DealersContext, S: ReturnType<typeof sizes>, secretsKey: string): Promise<NonNullable<DealersResult["idle"]>> {
  const noneUrl = await freshDatabase(ctx, "dealers-0");
  const manyUrl = await freshDatabase(ctx, `dealers-${S.idleDealers}`);
  {
    const { db } = createDb(manyUrl);
    await insertDealers(db, { count: S.idleDealers, prefix: "idle", secretsKey, emu: ctx.emu, env: gatewayEnv(ctx.emu, manyUrl, 0, { SECRETS_KEY: secretsKey }) });
    await db.$disconnect();
  }
  const env = { SECRETS_KEY: secretsKey };
  const run = async (url: string, dealers: number, round: number): Promise<IdleRun> => {
    // Its events first, straight into the ledger (the gateway is not running yet: the idle window sees none of it).
    const { db } = createDb(url);
    const events = await preparePayments(db, ctx.emu.stripeUrl, S.paced + S.ingestWarmup + S.ingest);
    const g = await ctx.startGateway(`gateway-dealers-${dealers}-r${round}`, url, env);
    try {
      const pid = g.server.child.pid!;
      // The same warm-up on both: some requests (health, the default dealer's checkout), then a pause.
      for (let i = 0; i < 20; i++) await (await fetch(`${g.server.url}/api/health`)).arrayBuffer();
      for (let i = 0; i < 3; i++) await (await fetch(`${g.server.url}/?id=10001`)).arrayBuffer();
      await sleep(S.warmSeconds * 1000);
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      await sleep(S.idleSeconds * 1000);
      const cpu1 = cpuSeconds(pid);
      const seconds = (performance.now() - t0) / 1000;
      const idle = { seconds, cpuSeconds: cpu1 - cpu0, cpuPercent: ((cpu1 - cpu0) / seconds) * 100 };
      const rssAfterIdle = rssMb(pid);
      await startCreditRecording(ctx.emu.recorderUrl);
      const credit = await pacedCredits(ctx.emu, g.server, db, events.slice(0, S.paced), S.rate);
      const webhook = `${g.server.url}/api/stripe/webhook`;
      await ingest(webhook, events.slice(S.paced, S.paced + S.ingestWarmup), S.connections);
      await drain(db);
      const measured = await ingest(webhook, events.slice(S.paced + S.ingestWarmup), S.connections);
      await drain(db);
      const rssAfterLoad = rssMb(pid);
      log(
        `${dealers} dealers: start ${g.startSeconds.toFixed(1)} s, idle CPU ${idle.cpuPercent.toFixed(2)}% over ${seconds.toFixed(0)} s, RSS ${rssAfterIdle.toFixed(0)} MB; paced credit p50 ${credit.credit.p50} ms; ingest c=${S.connections} ${measured.perSecond.toFixed(0)}/s`,
      );
      return { dealers, startSeconds: g.startSeconds, idle, rssAfterIdle, rssAfterLoad, pacedCredit: credit.credit, pacedMissing: credit.missing, ingest: strip(measured) };
    } finally {
      await g.server.stop();
      await db.$disconnect();
    }
  };
  const none: IdleRun[] = [];
  const many: IdleRun[] = [];
  for (let r = 0; r < S.idleRounds; r++) {
    const [a, b] = await inAlternatingOrder(r, () => run(noneUrl, 0, r), () => run(manyUrl, S.idleDealers, r));
    none.push(a);
    many.push(b);
  }
  return { dealers: S.idleDealers, rate: S.rate, connections: S.connections, none, many };
}

// ---- many: 10,000 dealers, a bounded cache ----------------------------------------------------------------------------

/**
 * RSS while dealers are paid in turn: after a warm-up, when as many as the cache holds are paid, after all, and after
 * the checkout pages of many more dealers.
 */
interface CacheRun {
  cacheSize: number;
  startSeconds: number;
  rss: Checkpoints;
  /** The V8 heap in use after a full collection (support/heap.ts): what the server keeps. */
  heap: Checkpoints;
}
interface Checkpoints {
  afterWarmUp: number;
  atCache: number;
  afterAll: number;
  afterPages: number;
}

async function manyPart(ctx: DealersContext, S: ReturnType<typeof sizes>, secretsKey: string): Promise<NonNullable<DealersResult["many"]>> {
  const url = await freshDatabase(ctx, `dealers-${S.many}`);
  const setup = createDb(url).db;
  const dealers = await insertDealers(setup, { count: S.many, prefix: "many", secretsKey, emu: ctx.emu, env: gatewayEnv(ctx.emu, url, 0, { SECRETS_KEY: secretsKey }) });
  await setup.$disconnect();
  const users = Array.from({ length: S.manyPaid }, (_, i) => 70_001 + i);
  await navixyUsers(ctx.emu, users);
  await startCreditRecording(ctx.emu.recorderUrl);
  const okAt = new Map<string, number>();
  const pageMs: number[] = [];
  const step = Math.floor(S.many / S.manyPaid);
  // Pages of dealers nobody pays in this part (both gateways show the same ones).
  const visited = dealers.filter((_, k) => k % step >= 2).slice(0, S.manyVisited);
  /**
   * A gateway with this DEALER_CACHE_SIZE pays the dealers `offset`, `offset + step`, ... (spread over the table) in
   * turn, then shows the checkout pages of `visited`, 4 at a time.
   */
  const run = async (cacheSize: number, offset: number): Promise<CacheRun> => {
    // Payments from one address, many dealers: the per-IP limit of the payer pages is not what is measured here.
    const env = { SECRETS_KEY: secretsKey, DEALER_CACHE_SIZE: String(cacheSize), RATE_LIMIT_PAYMENTS_PER_IP: "100000/10m" };
    // Its inspector on loopback, to ask for its heap after a full collection.
    const inspectPort = await freePort();
    const g = await ctx.startGateway(`gateway-dealers-${S.many}-cache-${cacheSize}`, url, env, [`--inspect=127.0.0.1:${inspectPort}`]);
    log(`${S.many} dealers: start ${g.startSeconds.toFixed(1)} s`);
    try {
      const pid = g.server.child.pid!;
      const rss: Partial<Checkpoints> = {};
      const heap: Partial<Checkpoints> = {};
      const checkpoint = async (at: keyof Checkpoints) => {
        heap[at] = await heapAfterGcMb(inspectPort);
        rss[at] = rssMb(pid);
      };
      // The same path through the default dealer first (its services exist anyway), so that what follows is what each
      // hosted dealer adds, not the code every payment runs, loaded and compiled once.
      for (const user of [10001, 10002, 10003]) await payThroughPage(g.server.url, ctx.emu, null, user, 1000);
      await drain(g.db);
      await sleep(2_000);
      await checkpoint("afterWarmUp");
      for (let i = 0; i < S.manyPaid; i++) {
        const p = await payThroughPage(g.server.url, ctx.emu, dealers[i * step + offset]!, users[i]!, 1000);
        okAt.set(p.paymentIntentId, p.okAt);
        pageMs.push(p.pageMs);
        if (i + 1 === S.manyCache) {
          await drain(g.db);
          await checkpoint("atCache");
        }
      }
      await drain(g.db);
      await sleep(1_000);
      await checkpoint("afterAll");
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < visited.length) {
            const dealer = visited[next++]!;
            const page = await fetch(`${g.server.url}/d/${dealer.slug}/?id=10001`);
            await page.arrayBuffer();
            if (page.status !== 200) throw new Error(`${dealer.slug}'s checkout page answered ${page.status}`);
          }
        }),
      );
      await sleep(1_000);
      await checkpoint("afterPages");
      const line = (c: Partial<Checkpoints>) => [c.afterWarmUp, c.atCache, c.afterAll, c.afterPages].map((v) => v!.toFixed(0)).join(" → ");
      log(`${S.many} dealers, DEALER_CACHE_SIZE=${cacheSize}, ${S.manyPaid} paid then ${visited.length} pages: heap after GC ${line(heap)} MB, RSS ${line(rss)} MB`);
      return { cacheSize, startSeconds: g.startSeconds, rss: rss as Checkpoints, heap: heap as Checkpoints };
    } finally {
      await g.server.stop();
      await g.db.$disconnect();
    }
  };
  // The bounded cache, and its baseline: a cache that keeps every dealer (other dealers paid, the same path).
  const bounded = await run(S.manyCache, 0);
  const keepsAll = await run(S.manyPaid + visited.length, 1);
  await sleep(300);
  const credits = await recordedCredits(ctx.emu.recorderUrl);
  const once = exactlyOnce(credits, okAt.keys());
  log(`${S.many} dealers: ${okAt.size} payments through their pages; lost ${once.lost}, doubled ${once.doubled}`);
  return {
    dealers: S.many,
    paid: S.manyPaid,
    visited: visited.length,
    bounded,
    keepsAll,
    pageMs: summarize(pageMs),
    credit: recordedLatencies(credits, okAt).summary,
    lost: once.lost,
    doubled: once.doubled,
  };
}

// ---- noisy: one dealer's backlog vs 20 others' steady payments -----------------------------------------------------------

async function noisyPart(ctx: DealersContext, S: ReturnType<typeof sizes>, secretsKey: string): Promise<NonNullable<DealersResult["noisy"]>> {
  const url = await freshDatabase(ctx, "dealers-noisy");
  const setup = createDb(url).db;
  const [noisy, ...steady] = await insertDealers(setup, { count: 1 + S.steadyDealers, prefix: "noisy", secretsKey, emu: ctx.emu, env: gatewayEnv(ctx.emu, url, 0, { SECRETS_KEY: secretsKey }) });
  await setup.$disconnect();
  const noisyUser = 80_000;
  const steadyUsers = steady.map((_, i) => 80_001 + i);
  await navixyUsers(ctx.emu, [noisyUser, ...steadyUsers]);
  await navixyFault(ctx.emu, { method: "panel/user/transaction/change_balance", userId: noisyUser, always: true, action: { type: "delay", ms: S.navixyDelayMs } });
  const g = await ctx.startGateway("gateway-dealers-noisy", url, { SECRETS_KEY: secretsKey });
  const db = g.db;
  try {
    await startCreditRecording(ctx.emu.recorderUrl);
    // Every steady dealer's services built and its Navixy session open before anything is measured.
    await pacedCredits(ctx.emu, g.server, db, await prepareFor(db, ctx.emu, steady, steadyUsers, 2), S.rate);
    const rate = steady.length; // 1 event/s each
    const steadyEvents = () => prepareFor(db, ctx.emu, steady, steadyUsers, S.steadySeconds);
    const quietRound = async () => (await pacedCredits(ctx.emu, g.server, db, await steadyEvents(), rate)).credit;
    let backlogDrain = { drainPerSecond: NaN, drainSeconds: NaN, lost: 0, doubled: 0 };
    const noisyRound = async (round: number) => {
      const events = await steadyEvents();
      const tag = `noisy${round}r`;
      const insertedAt = Date.now();
      const references = await insertOwedCredits(db, { dealerId: noisy!.id, userId: noisyUser, count: S.backlog, tag });
      // The worker finds them within its poll interval; the steady payments start once the backlog is being worked.
      const where = { dealerId: noisy!.id, reference: { startsWith: `pi_${tag}` }, state: "applied" };
      const deadline = Date.now() + 15_000;
      while ((await db.balanceMovement.count({ where })) === 0 && Date.now() < deadline) await sleep(50);
      const okAt = await paced(`${g.server.url}/api/stripe/webhook`, events, rate);
      const stillOwed = S.backlog - (await db.balanceMovement.count({ where }));
      await drain(db, 600_000);
      await sleep(300);
      const credits = await recordedCredits(ctx.emu.recorderUrl);
      const agg = await db.balanceMovement.aggregate({ where, _min: { appliedAt: true }, _max: { appliedAt: true }, _count: true });
      const first = agg._min.appliedAt?.getTime() ?? NaN;
      const last = agg._max.appliedAt?.getTime() ?? NaN;
      const once = exactlyOnce(credits, references);
      backlogDrain = { drainPerSecond: (agg._count - 1) / ((last - first) / 1000), drainSeconds: (last - insertedAt) / 1000, lost: once.lost, doubled: once.doubled };
      log(`backlog of ${S.backlog}: ${stillOwed} still owed when the steady payments ended; drained at ${backlogDrain.drainPerSecond.toFixed(1)}/s (lost ${once.lost}, doubled ${once.doubled})`);
      if (stillOwed === 0) log("warning: the backlog was gone before the steady payments ended (the comparison is then partly quiet)");
      return recordedLatencies(credits, okAt).summary;
    };
    const rounds: NonNullable<DealersResult["noisy"]>["rounds"] = [];
    for (let r = 0; r < S.noisyRounds; r++) {
      const [quiet, withBacklog] = await inAlternatingOrder(r, quietRound, () => noisyRound(r));
      rounds.push({ quiet, noisy: withBacklog, ...backlogDrain });
      log(`noisy round ${r + 1}: steady dealers' credit p95 ${quiet.p95} ms quiet, ${withBacklog.p95} ms with the backlog`);
    }
    const pick = (k: "quiet" | "noisy") => ({
      p50: median(rounds.map((x) => x[k].p50)),
      p95: median(rounds.map((x) => x[k].p95)),
      p99: median(rounds.map((x) => x[k].p99)),
      n: rounds.reduce((a, x) => a + x[k].n, 0),
      max: Math.max(...rounds.map((x) => x[k].max)),
      mean: mean(rounds.map((x) => x[k].mean)),
    });
    const expected = S.noisyRounds * 2 * steady.length * S.steadySeconds;
    return {
      backlog: S.backlog,
      navixyDelayMs: S.navixyDelayMs,
      steadyDealers: steady.length,
      rate,
      quiet: pick("quiet"),
      noisy: pick("noisy"),
      missing: expected - rounds.reduce((a, x) => a + x.quiet.n + x.noisy.n, 0),
      rounds,
    };
  } finally {
    await clearNavixyFaults(ctx.emu);
    await g.server.stop();
  }
}

// ---- pair: two instances on PostgreSQL ------------------------------------------------------------------------------

async function pairPart(ctx: DealersContext, S: ReturnType<typeof sizes>, secretsKey: string): Promise<NonNullable<DealersResult["pair"]>> {
  const url = await freshDatabase(ctx, "dealers-pair");
  const setup = createDb(url).db;
  const dealers = await insertDealers(setup, { count: S.pairDealers, prefix: "pair", secretsKey, emu: ctx.emu, env: gatewayEnv(ctx.emu, url, 0, { SECRETS_KEY: secretsKey }) });
  await setup.$disconnect();
  const paying = dealers.slice(0, S.pairBurstDealers);
  const users = paying.map((_, i) => 90_001 + i);
  await navixyUsers(ctx.emu, users);
  const env = { SECRETS_KEY: secretsKey };
  const a = await ctx.startGateway("gateway-pair-a", url, env);
  const b = await ctx.startGateway("gateway-pair-b", url, env);
  try {
    const events = await prepareFor(a.db, ctx.emu, paying, users, Math.ceil(S.pairBurst / paying.length));
    await startCreditRecording(ctx.emu.recorderUrl);
    const started = Date.now();
    // The whole burst to instance A: B hears of it only through the database (NOTIFY hints, its polling).
    const result = await ingest(`${a.server.url}/api/stripe/webhook`, events, 32);
    const drainSeconds = await drain(a.db, 600_000);
    await sleep(1_000);
    const once = exactlyOnce(await recordedCredits(ctx.emu.recorderUrl), events.map((e) => e.paymentIntentId));
    const linesOf = (s: Server) => appliedLines(s.logFile).filter((l) => l.at >= started);
    const perInstance = [
      { name: "A", lines: linesOf(a.server) },
      { name: "B", lines: linesOf(b.server) },
    ];
    const all = perInstance.flatMap((p) => p.lines.map((l) => l.at));
    const lastCredit = Math.max(...all);
    // Seconds of the backlog (burst start → last credit) in which an instance made no credit.
    const backlogSeconds = Math.ceil((lastCredit - started) / 1000);
    const instances = perInstance.map((p) => {
      const busy = new Set(p.lines.map((l) => Math.floor((l.at - started) / 1000)));
      return { name: p.name, workers: [...new Set(p.lines.map((l) => l.worker))], credits: p.lines.length, idleSeconds: backlogSeconds - busy.size };
    });
    log(`pair: ${events.length} events to A at ${result.perSecond.toFixed(0)}/s; credits A ${instances[0]!.credits}, B ${instances[1]!.credits}; lost ${once.lost}, doubled ${once.doubled}; drained ${drainSeconds.toFixed(1)} s after the burst`);
    return { dealers: S.pairDealers, burst: events.length, ingest: strip(result), drainSeconds, lost: once.lost, doubled: once.doubled, instances, backlogSeconds };
  } finally {
    await a.server.stop();
    await b.server.stop();
  }
}

// ---- the suite ----------------------------------------------------------------------------------------------------------

export async function dealersSuite(ctx: DealersContext): Promise<DealersResult> {
  const S = sizes(ctx.quick);
  const database = ctx.pgUrl ? "postgres" : "sqlite";
  log(`dealers suite on ${database}: ${[...ctx.parts].join(", ")}`);
  const secretsKey = benchSecretsKey();
  const result: DealersResult = { database };
  try {
    if (ctx.parts.has("idle")) result.idle = await idlePart(ctx, S, secretsKey);
    if (ctx.parts.has("many")) result.many = await manyPart(ctx, S, secretsKey);
    if (ctx.parts.has("noisy")) result.noisy = await noisyPart(ctx, S, secretsKey);
    if (ctx.parts.has("pair")) {
      if (ctx.pgUrl) result.pair = await pairPart(ctx, S, secretsKey);
      else log("dealers.pair skipped: two instances need PostgreSQL (DATABASE_URL)");
    }
    if (ctx.parts.has("logs")) result.logs = logsPart(ctx.quick);
  } finally {
    await stopCreditRecording(ctx.emu.recorderUrl).catch(() => {});
  }
  return result;
}

/** The suite's rows of the table. */
export function dealersRows(r: DealersResult, row: Row): void {
  const db = r.database;
  if (r.idle) {
    const { none, many, dealers } = r.idle;
    const n = dealers.toLocaleString("en");
    const label = (what: string) => `${n} idle dealers vs 0 (${db}): ${what}`;
    const cpuMany = mean(many.map((x) => x.idle.cpuPercent));
    const cpuNone = mean(none.map((x) => x.idle.cpuPercent));
    const seconds = f0(mean(many.map((x) => x.idle.seconds)));
    row(label("idle CPU"), `% of one core over ${seconds} s, mean of ${many.length}`, f2(cpuMany), f2(cpuNone), `+${f2(cpuMany - cpuNone)} points`, "≤ 3% and ≤ +1 point", pass(cpuMany <= 3 && cpuMany - cpuNone <= 1));
    const rssMany = mean(many.map((x) => x.rssAfterIdle));
    const rssNone = mean(none.map((x) => x.rssAfterIdle));
    row(label("RSS after the idle window"), "MB", f0(rssMany), f0(rssNone), `+${f0(rssMany - rssNone)} MB`, "≤ +60 MB", pass(rssMany - rssNone <= 60));
    row(label("RSS after the load below"), "MB", f0(mean(many.map((x) => x.rssAfterLoad))), f0(mean(none.map((x) => x.rssAfterLoad))), "", "context", "");
    const pool = (runs: IdleRun[]) => ({
      p50: median(runs.map((x) => x.pacedCredit.p50)),
      p95: median(runs.map((x) => x.pacedCredit.p95)),
      p99: median(runs.map((x) => x.pacedCredit.p99)),
      n: 0,
      max: NaN,
      mean: NaN,
    });
    const pm = pool(many);
    const pn = pool(none);
    const missing = [...many, ...none].reduce((a, x) => a + x.pacedMissing, 0);
    row(label(`default dealer's credit, ${r.idle.rate} events/s`), "2xx → Navixy p50 / p95 / p99 ms", lat(pm), lat(pn), `${f2(pm.p50 / pn.p50)}× (p50)`, "≤ 1.2×", missing ? `**${missing} missing**` : pass(pm.p50 / pn.p50 <= 1.2));
    const ingestOf = (runs: IdleRun[]) => {
      const ok = runs.reduce((a, x) => a + x.ingest.ok, 0);
      const s = runs.reduce((a, x) => a + x.ingest.seconds, 0);
      return ok / s;
    };
    const im = ingestOf(many);
    const inn = ingestOf(none);
    row(label(`default dealer's webhook ingest, c=${r.idle.connections}`), "events/s", f0(im), f0(inn), `${f2(im / inn)}×`, "≥ 0.9×", pass(im / inn >= 0.9));
    const sm = median(many.map((x) => x.startSeconds));
    const sn = median(none.map((x) => x.startSeconds));
    row(label("start (spawn → /api/health 200)"), "s", f1(sm), f1(sn), `${f2(sm / sn)}×`, "≤ 10 s", pass(sm <= 10));
  }
  if (r.many) {
    const m = r.many;
    const n = m.dealers.toLocaleString("en");
    const starts = [m.bounded.startSeconds, m.keepsAll.startSeconds];
    const st = median(starts);
    row(`${n} dealers (${db}): start (spawn → /api/health 200)`, `s, median of ${starts.length}`, f1(st), "", "", "≤ 15 s", pass(st <= 15));
    const line = (c: Checkpoints) => `${f0(c.afterWarmUp)} → ${f0(c.atCache)} → ${f0(c.afterAll)} → ${f0(c.afterPages)}`;
    const grown = (c: Checkpoints) => c.afterPages - c.atCache;
    const cache = m.bounded.cacheSize;
    const label = `${n} dealers (${db}): ${m.paid} of them paid in turn then ${m.visited.toLocaleString("en")} more pages, DEALER_CACHE_SIZE=${cache} vs ${m.keepsAll.cacheSize.toLocaleString("en")}`;
    const unit = (what: string) => `${what}, MB after warm-up → ${cache} dealers paid → ${m.paid} → the pages`;
    const kept = grown(m.keepsAll.heap);
    row(
      label,
      unit("heap after a full GC"),
      line(m.bounded.heap),
      line(m.keepsAll.heap),
      `+${f1(grown(m.bounded.heap))} vs +${f1(kept)} MB past the cache (${f2(grown(m.bounded.heap) / kept)}×)`,
      "growth past the cache ≤ 0.2× keeping all",
      pass(kept > 0 && grown(m.bounded.heap) <= 0.2 * kept),
    );
    row(label, unit("RSS"), line(m.bounded.rss), line(m.keepsAll.rss), `+${f0(grown(m.bounded.rss))} vs +${f0(grown(m.keepsAll.rss))} MB past the cache`, "context", "");
    row(`${n} dealers (${db}): a dealer's first checkout page (its services built)`, "TTFB p50 / p95 / p99 ms", lat(m.pageMs), "", "", "context", "");
    row(`${n} dealers (${db}): those ${2 * m.paid} payments credited`, "2xx → Navixy p50 / p95 / p99 ms; lost / doubled", `${lat(m.credit)}; ${m.lost} / ${m.doubled}`, "", "", "0 / 0", pass(m.lost === 0 && m.doubled === 0));
  }
  if (r.noisy) {
    const x = r.noisy;
    const ratio = x.noisy.p95 / x.quiet.p95;
    row(
      `Noisy neighbour (${db}): ${x.steadyDealers} dealers at 1 event/s each, with vs without one dealer owed ${x.backlog.toLocaleString("en")} credits`,
      `2xx → Navixy p50 / p95 / p99 ms${x.rounds.length > 1 ? `, median of ${x.rounds.length}` : ""}`,
      lat(x.noisy),
      lat(x.quiet),
      `${f2(ratio)}× (p95)`,
      "≤ 2×",
      x.missing ? `**${x.missing} missing**` : pass(ratio <= 2),
    );
    const rate = mean(x.rounds.map((q) => q.drainPerSecond));
    const lost = x.rounds.reduce((a, q) => a + q.lost, 0);
    const doubled = x.rounds.reduce((a, q) => a + q.doubled, 0);
    row(
      `Noisy neighbour (${db}): the backlog's drain, Navixy ${x.navixyDelayMs} ms per call`,
      "credits/s (first → last credit); s from insertion; lost / doubled",
      `${f1(rate)}; ${f1(mean(x.rounds.map((q) => q.drainSeconds)))} s; ${lost} / ${doubled}`,
      "",
      "",
      "≥ 50/s, 0 / 0",
      pass(rate >= 50 && lost === 0 && doubled === 0),
    );
  }
  if (r.pair) {
    const p = r.pair;
    const n = p.dealers.toLocaleString("en");
    row(`Two instances (${db}), ${n} dealers: a burst of ${p.burst} events to A only`, "credits lost / doubled", `${p.lost} / ${p.doubled}`, "", "", "0 / 0", pass(p.lost === 0 && p.doubled === 0));
    const total = p.instances.reduce((a, i) => a + i.credits, 0);
    const shares = p.instances.map((i) => i.credits / total);
    row(
      `Two instances (${db}), ${n} dealers: credits made by each worker`,
      `A / B (share); seconds without a credit during the ${p.backlogSeconds} s backlog`,
      `${p.instances.map((i, k) => `${i.credits} (${f0(shares[k]! * 100)}%)`).join(" / ")}; ${p.instances.map((i) => i.idleSeconds).join(" / ")}`,
      "",
      "",
      "each ≥ 25%",
      pass(shares.every((s) => s >= 0.25)),
    );
  }
  if (r.logs) {
    const none = r.logs.find((l) => l.dealers === 0)!.microsPerLine;
    for (const l of r.logs.filter((x) => x.dealers > 0)) {
      const ratio = l.microsPerLine / none;
      row(
        `A log line with ${l.dealers.toLocaleString("en")} dealers' secrets registered vs none`,
        "µs per line (5 secrets a dealer, every string scrubbed)",
        f0(l.microsPerLine),
        f0(none),
        `${f2(ratio)}×`,
        "≤ 2×",
        pass(ratio <= 2),
      );
    }
  }
}

