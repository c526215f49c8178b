// GET /metrics: this process's metrics in Prometheus's text format, for a scraper holding METRICS_TOKEN (a bearer
// token; unset, the endpoint answers 404 as if it did not exist). The counters and histograms are this process's own
// (each instance is scraped on its own); the ledger's gauges are set from the shared snapshot (ledger-signals.ts,
// read at most every few seconds), so they are the deployment's and the same on every instance: aggregate them with
// max(), not sum().
import { timingSafeEqual } from "node:crypto";
import type { Gauge } from "prom-client";
import { HttpError } from "../http/responses";
import { dealerLabel, gatewayMetrics, renderMetrics, type GatewayMetrics } from "../metrics";
import type { Services } from "../server/services";
import { localWorker } from "./heartbeat";
import { ledgerSnapshot, type LedgerSnapshot } from "./ledger-signals";

function authorized(request: Request, token: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Sets the ledger's gauges from a snapshot: every series of the last scrape is replaced (a dealer with nothing left drops out). */
export function setLedgerGauges(m: GatewayMetrics, snapshot: LedgerSnapshot, now = Date.now()): void {
  // Summed per label set first: with METRICS_PER_DEALER=false every dealer is "all" (ages: the oldest of any).
  const sums = new Map<string, { gauge: Gauge<string>; labels: Record<string, string>; value: number }>();
  const gauges = new Map<Gauge<string>, number>();
  const put = (gauge: Gauge<string>, labels: Record<string, string>, value: number, max = false) => {
    if (!gauges.has(gauge)) gauges.set(gauge, gauges.size);
    const key = `${gauges.get(gauge)}\u0000${JSON.stringify(labels)}`;
    const entry = sums.get(key);
    if (!entry) sums.set(key, { gauge, labels, value });
    else entry.value = max ? Math.max(entry.value, value) : entry.value + value;
  };
  const age = (d: Date) => Math.max(0, (now - d.getTime()) / 1000);
  for (const d of snapshot.dealers.values()) {
    const dealer = dealerLabel(d.slug);
    for (const kind of ["credit", "debit"] as const) if (d.owed[kind] > 0) put(m.movementsOwed, { dealer, kind }, d.owed[kind]);
    if (d.owedOldestAt) put(m.movementsOwedAge, { dealer }, age(d.owedOldestAt), true);
    if (d.eventsWaiting > 0) put(m.eventsWaiting, { dealer }, d.eventsWaiting);
    if (d.eventsOldestAt) put(m.eventsWaitingAge, { dealer }, age(d.eventsOldestAt), true);
    for (const [kind, n] of Object.entries(d.attention)) if (n) put(m.attention, { dealer, kind }, n);
    if (d.backoff) put(m.backedOff, { dealer }, 1);
    for (const [kind, n] of Object.entries(d.alertsOpen)) if (n) put(m.alertsOpen, { dealer, kind }, n);
  }
  for (const g of [m.movementsOwed, m.movementsOwedAge, m.eventsWaiting, m.eventsWaitingAge, m.attention, m.backedOff, m.alertsOpen]) g.reset();
  for (const { gauge, labels, value } of sums.values()) gauge.set(labels, value);
  m.alertDeliveriesWaiting.set(snapshot.deliveriesWaiting);
  if (snapshot.workerSeenAt) m.workerSeenAge.set(age(snapshot.workerSeenAt));
  else m.workerSeenAge.reset();
}

export async function serveMetrics(services: Pick<Services, "config" | "rootDb">, request: Request): Promise<Response> {
  const token = services.config.metrics.token;
  if (!token) throw new HttpError(404, "not_found", "Not found.");
  if (!authorized(request, token)) {
    throw new HttpError(401, "unauthorized", "A bearer token (METRICS_TOKEN) is needed.", { "www-authenticate": 'Bearer realm="metrics"' });
  }
  const m = gatewayMetrics();
  try {
    setLedgerGauges(m, await ledgerSnapshot(services.rootDb));
    m.ledgerUp.set(1);
  } catch {
    // The process's own metrics are still worth a scrape; the gauges say the ledger could not be read.
    m.ledgerUp.set(0);
  }
  m.workerHere.set(localWorker()?.turning ? 1 : 0);
  const { body, contentType } = await renderMetrics();
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
