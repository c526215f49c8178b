// Instances wake each other through PostgreSQL (LISTEN/NOTIFY): an event stored by a web server without a worker of
// its own is credited by a standalone worker in another process at once, although that worker polls only once a
// minute. SQLite has one writer process and nothing to wake: the test runs on PostgreSQL only.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../../dev/testing/harness";
import { freePort, spawnNode, waitUntil, type ManagedProcess } from "../../../dev/testing/app-process";
import { Client } from "pg";
import { decodeHint, decodeNotice, encodeHint, notePeer, othersMayListen, PEER_SILENT_MS, PRESENCE_ANSWER_MS, setListening, wakeWorkers } from "../../server/wake";
import { listenToOtherInstances } from "../../server/start";
import { workChannelName } from "../../db/work-channel";
import { postgresPoolConfig } from "../../db/url";

const postgres = process.env.TEST_DATABASE_PROVIDER === "postgres";

describe("work hints", () => {
  test("a hint survives its trip through a notification's payload", () => {
    const hint = { queue: "event", dealerId: "dlr_0123abcd", id: "evt_1Q2w3E" };
    expect(decodeHint(encodeHint(hint))).toEqual(hint);
    const fresh = { queue: "movement", dealerId: "default", id: "mv_01abc", version: 0, state: "pending" };
    expect(decodeHint(encodeHint(fresh))).toEqual(fresh);
    expect(decodeHint("event\tonly-two")).toBeUndefined();
    expect(decodeHint("a\tb\tc\t\t\tf")).toBeUndefined();
    expect(decodeHint("a\tb\tc\tnot-a-number\t")).toEqual({ queue: "a", dealerId: "b", id: "c" });
  });

  test("a notification of an instance of an earlier version (one hint, no sender) is read as one hint from another instance", () => {
    const hint = { queue: "event", dealerId: "default", id: "evt_old", version: 0, state: "received" };
    expect(decodeNotice(encodeHint(hint))).toEqual({ own: false, origin: null, hints: [hint] });
    // Not a hint at all: a look for due rows.
    expect(decodeNotice("nonsense")).toEqual({ own: false, origin: null, hints: [undefined] });
    // An instance announcing that it listens, with or without hints of its own.
    expect(decodeNotice("@peer\n!hello")).toEqual({ own: false, origin: "@peer", hints: [], presence: "hello" });
    expect(decodeNotice(`@peer\n${encodeHint(hint)}\n!here`)).toEqual({ own: false, origin: "@peer", hints: [hint], presence: "here" });
  });

  test("another instance counts as listening until it has been silent for PEER_SILENT_MS", () => {
    const t0 = 1_000_000_000;
    try {
      setListening(t0);
      expect(othersMayListen(t0 + PRESENCE_ANSWER_MS - 1)).toBe(true);
      expect(othersMayListen(t0 + PRESENCE_ANSWER_MS)).toBe(false);
      notePeer("@peer-a", t0 + PRESENCE_ANSWER_MS);
      expect(othersMayListen(t0 + PRESENCE_ANSWER_MS + PEER_SILENT_MS - 1)).toBe(true);
      expect(othersMayListen(t0 + PRESENCE_ANSWER_MS + PEER_SILENT_MS)).toBe(false);
      // Its connection lost, this process cannot hear hellos: it sends again.
      setListening(undefined);
      expect(othersMayListen(t0 + 10 * PEER_SILENT_MS)).toBe(true);
    } finally {
      setListening(undefined);
    }
  });
});

describe.skipIf(databaseUnavailable() || !postgres)("hints go out only while another instance listens", () => {
  let gw: Gateway;
  let watcher: Client;
  let channel: string;
  const payloads: string[] = [];
  beforeAll(async () => {
    // No worker in this process: what it sends is what the test sees.
    gw = await startGateway({ worker: false });
    const target = gw.services.dbTarget;
    if (target.provider !== "postgres") throw new Error("PostgreSQL only");
    channel = workChannelName(target);
    // Listens without announcing itself, as an instance of an earlier version, or a person with psql, would.
    watcher = new Client(postgresPoolConfig(target));
    await watcher.connect();
    watcher.on("notification", (message) => payloads.push(message.payload ?? ""));
    await watcher.query(`LISTEN "${channel}"`);
  }, 60_000);
  afterAll(async () => {
    await watcher?.end();
    await gw?.close();
  });

  const hint = (id: string) => ({ queue: "event", dealerId: "dlr_nobody", id, version: 0, state: "received" });
  const sent = () => payloads.map((p) => decodeNotice(p));
  const sentHintIds = () => sent().flatMap((n) => n.hints.map((h) => h?.id));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  test("alone it sends none; it starts again when another instance says hello, and answers it", async () => {
    // A process that does not listen cannot know who does: it sends.
    wakeWorkers(hint("evt_not_listening"));
    await waitUntil(() => sentHintIds().includes("evt_not_listening"), 5_000, "the hint of a process that does not listen");

    const worker = { woken: [] as unknown[], wake(h?: unknown) { this.woken.push(h); } };
    const listening = listenToOtherInstances(gw.services, worker);
    try {
      await waitUntil(() => sent().some((n) => n.own && n.presence === "hello"), 5_000, "its hello");
      // Until the others had time to answer, it still sends.
      wakeWorkers(hint("evt_while_answers_come"));
      await waitUntil(() => sentHintIds().includes("evt_while_answers_come"), 5_000, "a hint right after its hello");

      await new Promise((resolve) => setTimeout(resolve, PRESENCE_ANSWER_MS));
      wakeWorkers(hint("evt_alone"));
      await settle();
      expect(sentHintIds()).not.toContain("evt_alone");

      // Another instance comes up: its hello is answered, and hints go out again.
      await watcher.query("SELECT pg_notify($1, $2)", [channel, "@another-instance\n!hello"]);
      await waitUntil(() => sent().some((n) => n.own && n.presence === "here"), 5_000, "its answer to the hello");
      wakeWorkers(hint("evt_with_a_peer"));
      await waitUntil(() => sentHintIds().includes("evt_with_a_peer"), 5_000, "a hint once another instance listens");
    } finally {
      await listening.close();
    }
  }, 30_000);
});

describe.skipIf(databaseUnavailable() || !postgres)("instances wake each other through PostgreSQL", () => {
  let gw: Gateway;
  let worker: ManagedProcess;
  let lines: string[];
  let metricsPort: number;
  const METRICS_TOKEN = "worker-metrics-token-0123456789";

  beforeAll(async () => {
    // The web server of this test process has no worker; the worker runs in a process of its own and polls once a minute.
    gw = await startGateway({ worker: false, env: { WORKER_POLL_INTERVAL_MS: "60000", WORKER_IN_SERVER: "false" } });
    lines = [];
    metricsPort = await freePort();
    worker = spawnNode({
      name: "standalone-worker",
      args: ["--import", "tsx", "lib/server/worker-main.ts"],
      env: { ...process.env, LOG_LEVEL: "info", METRICS_TOKEN, WORKER_METRICS_PORT: String(metricsPort) },
      logFile: path.join(process.cwd(), ".tmp", "test-logs", `work-channel-${process.pid}.log`),
      onLine: (line) => lines.push(line),
    });
    await waitUntil(() => lines.some((l) => l.includes("processing every dealer")), 30_000, "the standalone worker started");
    // Its first look is done and its LISTEN connection up: from now on only notifications wake it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await gw?.close();
  });

  test("the hints of one turn of the event loop go out as one notification, which names its sender", async () => {
    const target = gw.services.dbTarget;
    if (target.provider !== "postgres") throw new Error("PostgreSQL only");
    const listener = new Client(postgresPoolConfig(target));
    await listener.connect();
    const payloads: string[] = [];
    listener.on("notification", (message) => payloads.push(message.payload ?? ""));
    await listener.query(`LISTEN "${workChannelName(target)}"`);
    try {
      // No worker in this process: every hint goes to the other instances. The ids name nothing stored.
      const hints = Array.from({ length: 200 }, (_, i) => ({ queue: "event", dealerId: "dlr_nobody", id: `evt_batch_${i}`, version: 0, state: "received" }));
      for (const hint of hints) wakeWorkers(hint);
      await waitUntil(() => payloads.flatMap((p) => decodeNotice(p).hints).length >= hints.length, 10_000, "the hints");
      // A few notifications at most (each under PostgreSQL's 8,000-byte payload), not one per hint.
      expect(payloads.length).toBeLessThanOrEqual(3);
      const notices = payloads.map((p) => decodeNotice(p));
      // The sender itself ignores them (its own worker was offered each hint first); the other instance does not.
      expect(notices.every((n) => n.own)).toBe(true);
      // Each notification goes out on a connection of the pool: they may arrive in any order.
      const byId = (a: { id: string } | undefined, b: { id: string } | undefined) => (a?.id ?? "").localeCompare(b?.id ?? "");
      expect(notices.flatMap((n) => n.hints).sort(byId)).toEqual([...hints].sort(byId));
    } finally {
      await listener.end();
    }
  });

  test("an event stored here is credited by the worker there within seconds, not after its poll", async () => {
    const started = Date.now();
    const paid = await gw.pay(10002, 900);
    await gw.waitCredited(paid.paymentId);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(gw.navixy.balanceCents(10002)).toBe(900);
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(1);
    expect(lines.some((l) => l.includes("balance movement applied"))).toBe(true);

    // Its counters are its own process's: Prometheus scrapes the worker as it scrapes each web server.
    const scrape = (token?: string) => fetch(`http://127.0.0.1:${metricsPort}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await scrape()).status).toBe(401);
    expect((await scrape("not-the-metrics-token-at-all")).status).toBe(401);
    const metrics = await scrape(METRICS_TOKEN);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^gateway_balance_movements_total\{dealer="default",kind="credit",outcome="applied"\} 1$/m);
    expect(text).toMatch(/^gateway_worker_running 1$/m);
    expect(text).toMatch(/^gateway_webhook_to_credited_seconds_count 1$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
  }, 30_000);
});
