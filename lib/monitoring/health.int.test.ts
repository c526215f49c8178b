// Liveness, readiness and the metrics endpoint over real HTTP: /api/health answers while the database does;
// /api/ready names each check and fails without a worker, with a migration missing, and passes with a worker here or
// one seen recently elsewhere; /metrics is off without METRICS_TOKEN, refuses a wrong token, and shows what happened.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { startWorker, type ProcessWorker } from "../server/start";
import { getServices } from "../server/services";

const skip = databaseUnavailable();
const TOKEN = "metrics-token-for-the-tests-0123456789";

/** The value of one series in a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}

describe.skipIf(skip)("health, readiness and metrics", () => {
  let gw: Gateway;
  let processWorker: ProcessWorker | undefined;

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { METRICS_TOKEN: TOKEN } });
  });

  afterAll(async () => {
    await processWorker?.stop();
    await gw?.close();
  });

  test("readiness fails without a worker and names it; liveness does not", async () => {
    expect((await gw.request("GET", "/api/health")).status).toBe(200);
    const res = await gw.request("GET", "/api/ready");
    expect(res.status).toBe(503);
    expect(res.body.status).toBe("not_ready");
    expect(res.body.checks.database.ok).toBe(true);
    expect(res.body.checks.migrations).toMatchObject({ ok: true });
    expect(res.body.checks.migrations.detail).toMatch(/^all \d+ applied$/);
    expect(res.body.checks.worker.ok).toBe(false);
    expect(res.body.checks.worker.detail).toMatch(/no worker seen/);
  });

  test("a worker running in this process makes it ready; stopped, another instance's recent heartbeat does", async () => {
    processWorker = await startWorker();
    const ready = await waitFor(async () => {
      const res = await gw.request("GET", "/api/ready");
      return res.status === 200 ? res : null;
    });
    expect(ready.body.checks.worker.detail).toMatch(/running in this process/);
    // Its heartbeat is in the table for the other instances.
    await waitFor(async () => (await getServices().rootDb.workerHeartbeat.count()) === 1);
    await processWorker.stop();
    processWorker = undefined;
    // Stopped cleanly: its row is gone, and nothing else runs.
    expect(await getServices().rootDb.workerHeartbeat.count()).toBe(0);
    expect((await gw.request("GET", "/api/ready")).status).toBe(503);
    const now = new Date();
    await getServices().rootDb.workerHeartbeat.create({ data: { workerId: "worker-elsewhere", host: "other-host", pid: 1, startedAt: now, seenAt: now } });
    const elsewhere = await gw.request("GET", "/api/ready");
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.checks.worker.detail).toMatch(/worker-elsewhere on other-host seen \d+ s ago/);
    // Seen too long ago: not running.
    await getServices().rootDb.workerHeartbeat.update({ where: { workerId: "worker-elsewhere" }, data: { seenAt: new Date(now.getTime() - 60_000) } });
    expect((await gw.request("GET", "/api/ready")).status).toBe(503);
    await getServices().rootDb.workerHeartbeat.update({ where: { workerId: "worker-elsewhere" }, data: { seenAt: new Date() } });
  });

  test("a migration not applied makes it not ready, naming the migration", async () => {
    const db = getServices().rootDb;
    const [last] = await db.$queryRawUnsafe<{ migration_name: string }[]>("SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1");
    await db.$executeRawUnsafe("UPDATE _prisma_migrations SET rolled_back_at = finished_at WHERE migration_name = $1".replace("$1", `'${last!.migration_name}'`));
    try {
      const res = await gw.request("GET", "/api/ready");
      expect(res.status).toBe(503);
      expect(res.body.checks.migrations.ok).toBe(false);
      expect(res.body.checks.migrations.detail).toContain(last!.migration_name);
      expect(res.body.checks.migrations.detail).toContain("npm run db:migrate");
    } finally {
      await db.$executeRawUnsafe(`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = '${last!.migration_name}'`);
    }
    expect((await gw.request("GET", "/api/ready")).status).toBe(200);
  });

  test("/metrics needs the token; it shows a payment, its webhook, its credit, the calls made and the process", async () => {
    expect((await gw.request("GET", "/metrics")).status).toBe(401);
    expect((await gw.request("GET", "/metrics", undefined, { authorization: "Bearer wrong-token-wrong-token-wrong" })).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const before = (await gw.request("GET", "/metrics", undefined, auth)).text;

    processWorker = await startWorker();
    const paid = await gw.pay(10001, 2500);
    await gw.waitCredited(paid.paymentId);
    const res = await gw.request("GET", "/metrics", undefined, auth);
    expect(res.status).toBe(200);
    const after = res.text;
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta("gateway_payments_created_total", { dealer: "default" })).toBe(1);
    expect(delta("gateway_webhooks_received_total", { dealer: "default", type: "payment_intent.succeeded", outcome: "stored" })).toBe(1);
    expect(delta("gateway_balance_movements_total", { dealer: "default", kind: "credit", outcome: "applied" })).toBe(1);
    expect(delta("gateway_webhook_to_credited_seconds_count")).toBe(1);
    expect(delta("gateway_navixy_calls_total", { dealer: "default", method: "panel/user/transaction/change_balance", outcome: "ok" })).toBe(1);
    expect(delta("gateway_stripe_calls_total", { dealer: "default", method: "POST /v1/payment_intents", outcome: "ok" })).toBe(1);
    expect(delta("gateway_stripe_call_duration_seconds_count", { method: "POST /v1/payment_intents" })).toBe(1);
    expect(delta("gateway_webhook_handling_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sample(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after).toContain("nodejs_eventloop_lag_seconds");
    expect(sample(after, "gateway_ledger_up")).toBe(1);
    expect(sample(after, "gateway_worker_running")).toBe(1);
    expect(res.text).not.toContain(TOKEN);
  });
});

describe.skipIf(skip)("metrics switched off", () => {
  test("without METRICS_TOKEN, /metrics does not exist", async () => {
    const gw = await startGateway({ worker: false });
    try {
      const res = await gw.request("GET", "/metrics", undefined, { authorization: "Bearer anything-at-all-anything" });
      expect(res.status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});

describe.skipIf(skip)("rate-limit refusals in the metrics", () => {
  test("a payment attempt refused by the per-address limit is counted for its dealer and limit", async () => {
    const gw = await startGateway({ worker: false, env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_PAYMENTS_PER_IP: "1/10m", NAVIXY_TIMEOUT_MS: "5000" } });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const before = (await gw.request("GET", "/metrics", undefined, auth)).text;
      expect((await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500 })).status).toBe(201);
      expect((await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500 })).status).toBe(429);
      const after = (await gw.request("GET", "/metrics", undefined, auth)).text;
      const labels = { dealer: "default", limit: "payments_per_ip" };
      expect(sample(after, "gateway_rate_limit_refusals_total", labels) - sample(before, "gateway_rate_limit_refusals_total", labels)).toBe(1);
    } finally {
      await gw.close();
    }
  });
});
