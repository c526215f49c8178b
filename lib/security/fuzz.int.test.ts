// Hostile input against every public API route (route handlers over real HTTP, on this project's database):
// thousands of malformed bodies, headers, signatures and query strings from a seeded PRNG → never a 5xx,
// nothing written to the ledger, the app still healthy. The resilience suite runs the same generator against
// `next start`, pages included. FUZZ_SEED / FUZZ_COUNT change the run.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_USERS, TEST_KEYS, databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { formatFuzzReport, ledgerCounts, runFuzz } from "../../dev/resilience/fuzz";

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);

describe.skipIf(databaseUnavailable())("fuzzing the public API", () => {
  let gw: Gateway;
  beforeAll(async () => {
    // Limits high enough that the requests reach the deeper checks (the limits themselves have their own tests).
    gw = await startGateway({ env: { RATE_LIMIT_PAYMENTS_PER_IP: "100000/1m", RATE_LIMIT_PAYMENTS_PER_USER: "100000/1m" } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  test(`${COUNT} malformed requests (seed ${SEED}): only 4xx, no ledger row, still healthy`, { timeout: 120_000 }, async () => {
    const before = await ledgerCounts(gw.services.db);
    const report = await runFuzz({
      baseUrl: gw.url,
      seed: SEED,
      count: COUNT,
      timeBudgetMs: 90_000,
      webhookSecret: TEST_KEYS.webhookSecret,
      knownUserIds: DEFAULT_USERS.map((u) => u.id),
    });
    console.log(`fuzz (${gw.provider}): ${formatFuzzReport(report)}`);
    expect(report.serverErrors).toEqual([]);
    expect(report.networkErrors).toBe(0);
    expect(report.sent).toBeGreaterThanOrEqual(Math.min(COUNT, 1000));
    for (const [target, statuses] of Object.entries(report.byTarget)) {
      for (const status of Object.keys(statuses)) {
        const code = Number(status);
        if (target === "GET /api/health") expect(code, target).toBe(200);
        else expect(code >= 400 && code < 500, `${target} answered ${status}`).toBe(true);
      }
    }
    await gw.worker?.drain(5_000);
    expect(await ledgerCounts(gw.services.db)).toEqual(before);
    expect((await gw.request("GET", "/api/health")).status).toBe(200);
  });
});
