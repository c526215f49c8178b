import { afterEach, describe, expect, test } from "vitest";
import { configureMetrics, gatewayMetrics } from "../metrics";
import { navixyOutcome, stripeMethodLabel, stripeOutcome } from "./observers";
import { setLedgerGauges } from "./metrics-endpoint";
import type { DealerOperations, LedgerSnapshot } from "./ledger-signals";

describe("labels stay bounded", () => {
  test("a Stripe request's method label has no object id and no query", () => {
    expect(stripeMethodLabel("post", "/v1/payment_intents")).toBe("POST /v1/payment_intents");
    expect(stripeMethodLabel("POST", "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa/confirm")).toBe("POST /v1/payment_intents/:id/confirm");
    expect(stripeMethodLabel("GET", "/v1/charges/ch_1Abc?expand[]=balance_transaction")).toBe("GET /v1/charges/:id");
    expect(stripeMethodLabel("GET", "/v1/setup_intents")).toBe("GET /v1/setup_intents");
    expect(stripeMethodLabel("GET", "/v1/account")).toBe("GET /v1/account");
  });

  test("outcomes: HTTP statuses and Navixy's transport phases", () => {
    expect([200, 401, 403, 402, 404, 429, 500, 400, null].map(stripeOutcome)).toEqual([
      "ok",
      "unauthorized",
      "unauthorized",
      "declined",
      "not_found",
      "rate_limited",
      "server_error",
      "client_error",
      "unreachable",
    ]);
    expect(navixyOutcome({ outcome: "ok" })).toBe("ok");
    expect(navixyOutcome({ outcome: "api_error", code: 201 })).toBe("api_error");
    expect(navixyOutcome({ outcome: "transport_error", phase: "connect" })).toBe("unreachable");
    expect(navixyOutcome({ outcome: "transport_error", phase: "timeout" })).toBe("timeout");
    expect(navixyOutcome({ outcome: "transport_error", phase: "response" })).toBe("connection_lost");
    expect(navixyOutcome({ outcome: "bad_body" })).toBe("bad_answer");
  });
});

function dealer(slug: string, over: Partial<DealerOperations>): DealerOperations {
  return {
    dealerId: `dlr_${slug}`,
    slug,
    owed: { credit: 0, debit: 0 },
    owedOldestAt: null,
    eventsWaiting: 0,
    eventsOldestAt: null,
    attention: {},
    attentionByKind: { credit: 0, debit: 0 },
    backoff: null,
    alertsOpen: {},
    ...over,
  };
}

async function series(name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = (await gatewayMetrics().registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

describe("the ledger's gauges", () => {
  const now = Date.parse("2026-12-08T03:00:00Z");
  const snapshot: LedgerSnapshot = {
    at: new Date(now),
    slugs: new Map(),
    deliveriesWaiting: 2,
    workerSeenAt: new Date(now - 4_000),
    dealers: new Map([
      ["dlr_acme", dealer("acme", { owed: { credit: 3, debit: 1 }, owedOldestAt: new Date(now - 600_000), attention: { movement_failed: 2 }, backoff: { since: new Date(now), reason: null, retryAt: null } })],
      ["dlr_zeta", dealer("zeta", { owed: { credit: 2, debit: 0 }, owedOldestAt: new Date(now - 60_000), eventsWaiting: 5, eventsOldestAt: new Date(now - 30_000) })],
    ]),
  };

  afterEach(() => configureMetrics({ perDealer: true }));

  test("one series per dealer, and a dealer with nothing left drops out at the next scrape", async () => {
    const m = gatewayMetrics();
    setLedgerGauges(m, snapshot, now);
    expect(await series("gateway_movements_owed")).toEqual(
      expect.arrayContaining([
        { labels: { dealer: "acme", kind: "credit" }, value: 3 },
        { labels: { dealer: "acme", kind: "debit" }, value: 1 },
        { labels: { dealer: "zeta", kind: "credit" }, value: 2 },
      ]),
    );
    expect(await series("gateway_movements_owed_oldest_age_seconds")).toEqual(expect.arrayContaining([{ labels: { dealer: "acme" }, value: 600 }]));
    expect(await series("gateway_dealer_backed_off")).toEqual([{ labels: { dealer: "acme" }, value: 1 }]);
    expect(await series("gateway_worker_last_seen_seconds")).toEqual([{ labels: {}, value: 4 }]);
    setLedgerGauges(m, { ...snapshot, dealers: new Map([["dlr_zeta", snapshot.dealers.get("dlr_zeta")!]]) }, now);
    expect((await series("gateway_movements_owed")).map((s) => s.labels.dealer)).toEqual(["zeta"]);
    expect(await series("gateway_dealer_backed_off")).toEqual([]);
  });

  test("METRICS_PER_DEALER=false: every dealer under dealer=\"all\", counts summed, ages the oldest", async () => {
    configureMetrics({ perDealer: false });
    const m = gatewayMetrics();
    setLedgerGauges(m, snapshot, now);
    expect(await series("gateway_movements_owed")).toEqual(
      expect.arrayContaining([
        { labels: { dealer: "all", kind: "credit" }, value: 5 },
        { labels: { dealer: "all", kind: "debit" }, value: 1 },
      ]),
    );
    expect(await series("gateway_movements_owed_oldest_age_seconds")).toEqual([{ labels: { dealer: "all" }, value: 600 }]);
    expect(await series("gateway_events_waiting")).toEqual([{ labels: { dealer: "all" }, value: 5 }]);
  });
});
