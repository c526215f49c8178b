// PAYMENT_CURRENCY against the dealer's currency in Navixy: a difference is a warning on the setup page and at
// start-up (payments would be taken in one currency and credited to balances kept in another).
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { resetLoggerForTests } from "../logging/logger";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";
import { bootstrap } from "../server/start";
import { runSetupChecks, warnOnPaymentCurrencyMismatch } from "./setup";

const skip = databaseUnavailable();

/** The process's log lines from now on (LOG_LEVEL set, so Vitest's silence does not apply). */
function captureLog(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  process.env.LOG_LEVEL = "info";
  resetLoggerForTests(destination);
  return lines;
}

const previousLogLevel = process.env.LOG_LEVEL;
afterEach(() => {
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
  resetLoggerForTests();
});

const MISMATCH = "PAYMENT_CURRENCY is USD but the dealer currency in Navixy is EUR";

describe.skipIf(skip)("PAYMENT_CURRENCY differs from the dealer currency", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ currency: "EUR", worker: false, env: { PAYMENT_CURRENCY: "USD" } });
  });
  afterAll(async () => gw?.close());

  test("the setup page's check fails and carries a warning naming both currencies", async () => {
    const check = (await runSetupChecks(gw.services)).find((c) => c.id === "navixy-currency")!;
    expect(check.state).toBe("failed");
    expect(check.warning).toContain(MISMATCH);
    expect(check.warning).toContain("PAYMENT_CURRENCY=EUR");
  });

  test("start-up warns in the log, without waiting for Navixy", async () => {
    const lines = captureLog();
    await bootstrap();
    const line = await waitFor(() => lines.find((l) => String(l.msg).includes(MISMATCH)), { what: "the currency warning" });
    expect(line).toMatchObject({ level: "warn", paymentCurrency: "USD", dealerCurrency: "EUR" });
  });

  test("Navixy unreachable at start-up: says the comparison could not be made", async () => {
    await gw.navixy.setOutage(true);
    gw.services.navixy.resetSession();
    try {
      const lines = captureLog();
      expect(await warnOnPaymentCurrencyMismatch(gw.services)).toBeNull();
      expect(lines).toEqual([expect.objectContaining({ level: "warn", msg: expect.stringMatching(/^could not read the dealer currency in Navixy to compare with PAYMENT_CURRENCY=USD/) })]);
    } finally {
      await gw.navixy.setOutage(false);
    }
  });
});

describe.skipIf(skip)("PAYMENT_CURRENCY matches the dealer currency", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ currency: "EUR", worker: false, env: { PAYMENT_CURRENCY: "EUR" } });
  });
  afterAll(async () => gw?.close());

  test("no warning on the setup page or at start-up", async () => {
    const check = (await runSetupChecks(gw.services)).find((c) => c.id === "navixy-currency")!;
    expect(check).toMatchObject({ state: "ok", detail: "EUR (PAYMENT_CURRENCY matches)" });
    expect(check.warning).toBeUndefined();
    const lines = captureLog();
    expect(await warnOnPaymentCurrencyMismatch(gw.services)).toBeNull();
    expect(lines).toEqual([]);
  });
});
