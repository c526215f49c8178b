// A real Prometheus (Debian's /usr/bin/prometheus) scrapes the gateway's /metrics with its bearer token, with the
// example alert rules loaded, while a payment is credited, a webhook with a forged signature is refused and the
// dealer's Navixy is down; PromQL over its HTTP API then sees each of them. Skipped, saying why, where Prometheus is
// not installed (.ci/run installs it).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { createWorker } from "../server/start";
import type { LedgerWorker } from "../payments/worker/ledger-worker";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROMETHEUS = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].find((p) => fs.existsSync(p));
const MISSING = "Prometheus is not installed here (Debian: apt-get install prometheus; .ci/run installs it)";
const TOKEN = "prometheus-scrape-token-0123456789";
const JOB = "navixy-stripe-gateway";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(databaseUnavailable())("scraped by Prometheus", () => {
  let gw: Gateway;
  let worker: LedgerWorker;
  let prometheus: ChildProcess | undefined;
  let promUrl = "";
  let dir = "";
  let promLog = "";

  /** The value of an instant PromQL query (its first sample), or null when it has none. */
  async function query(promql: string): Promise<number | null> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`PromQL ${promql}: ${body.error}`);
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : null;
  }

  const until = (promql: string, ok: (v: number) => boolean, what: string) =>
    waitFor(
      async () => {
        const v = await query(promql);
        return v !== null && ok(v) ? { v } : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `${what} (${promql})` },
    );

  beforeAll(async () => {
    if (!PROMETHEUS) return;
    gw = await startGateway({ worker: false, env: { METRICS_TOKEN: TOKEN, NAVIXY_TIMEOUT_MS: "5000" } });
    worker = createWorker(gw.services);
    worker.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-prometheus-"));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const target = new URL(gw.url).host;
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        `  - ${JSON.stringify(path.join(ROOT, "docs", "prometheus-rules.yml"))}`,
        "scrape_configs:",
        `  - job_name: ${JOB}`,
        "    metrics_path: /metrics",
        "    authorization:",
        "      type: Bearer",
        `      credentials: ${JSON.stringify(TOKEN)}`,
        "    static_configs:",
        `      - targets: [${JSON.stringify(target)}]`,
        "",
      ].join("\n"),
    );
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout?.on("data", (c: Buffer) => (promLog += c.toString()));
    prometheus.stderr?.on("data", (c: Buffer) => (promLog = (promLog + c.toString()).slice(-20_000)));
    await waitFor(
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${promLog}`);
        return fetch(`${promUrl}/-/ready`).then((r) => r.ok).catch(() => false);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "Prometheus ready" },
    );
  }, 90_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (prometheus.exitCode === null) prometheus.kill("SIGKILL");
    }
    await worker?.stop();
    await gw?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("PromQL sees a payment credited, a refused signature and a Navixy outage; the rules load", async (ctx) => {
    if (!PROMETHEUS) return ctx.skip(MISSING);
    await until(`up{job="${JOB}"}`, (v) => v === 1, "the gateway scraped with its token");

    const paid = await gw.pay(10001, 2500);
    await gw.waitCredited(paid.paymentId);
    const forged = await gw.request("POST", "/api/stripe/webhook", '{"id":"evt_forged","type":"payment_intent.succeeded"}', { "stripe-signature": "t=1,v1=00" });
    expect(forged.status).toBe(400);

    // Navixy goes down once a payment was made: its credit is owed, every call refused.
    const owed = await gw.createPayment(10002, 1000);
    await gw.navixy.setOutage(true);
    try {
      await gw.confirmAsPayer(owed.piId, owed.clientSecret);
      await until(`max(gateway_movements_owed{job="${JOB}", dealer="default", kind="credit"})`, (v) => v === 1, "the credit owed during the outage");
      await until(`sum(gateway_navixy_calls_total{job="${JOB}", dealer="default", outcome="unreachable"})`, (v) => v > 0, "Navixy calls refused");
      await until(`max(gateway_movements_owed_oldest_age_seconds{job="${JOB}", dealer="default"})`, (v) => v >= 0, "the owed credit's age");
    } finally {
      await gw.navixy.setOutage(false);
    }

    expect((await until(`sum(gateway_balance_movements_total{job="${JOB}", kind="credit", outcome="applied"})`, (v) => v >= 1, "the credit applied")).v).toBe(1);
    expect((await until(`sum(gateway_webhooks_received_total{job="${JOB}", outcome="bad_signature"})`, (v) => v >= 1, "the forged webhook")).v).toBe(1);
    expect((await until(`sum(gateway_webhooks_received_total{job="${JOB}", type="payment_intent.succeeded", outcome="stored"})`, (v) => v >= 2, "the webhooks stored")).v).toBe(2);
    expect((await until(`sum(gateway_payments_created_total{job="${JOB}", dealer="default"})`, (v) => v >= 2, "payments created")).v).toBe(2);
    await until(`sum(gateway_webhook_to_credited_seconds_count{job="${JOB}"})`, (v) => v >= 1, "webhook-to-credited observed");
    await until(`histogram_quantile(0.5, sum by (le) (gateway_navixy_call_duration_seconds_bucket{job="${JOB}"}))`, (v) => v > 0, "Navixy call durations");
    await until(`max(nodejs_eventloop_lag_seconds{job="${JOB}"})`, (v) => v >= 0, "the process's event loop lag");

    // The example rules are loaded and evaluate without error against these series.
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
    const group = rules.data.groups.find((g) => g.name === "navixy-stripe-gateway");
    expect(group?.rules.length).toBeGreaterThan(10);
    await waitFor(async () => {
      const again = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as typeof rules;
      const all = again.data.groups.flatMap((g) => g.rules);
      return all.every((r) => r.health === "ok") ? all : null;
    }, { timeoutMs: 15_000, what: "every rule evaluated without error" });
  });
});
