// Instances wake each other through PostgreSQL (LISTEN/NOTIFY): an event stored by a web server without a worker of
// its own is credited by a standalone worker in another process at once, although that worker polls only once a
// minute. SQLite has one writer process and nothing to wake: the test runs on PostgreSQL only.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../../dev/testing/harness";
import { spawnNode, waitUntil, type ManagedProcess } from "../../../dev/testing/app-process";
import { decodeHint, encodeHint } from "../../server/wake";

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
});

describe.skipIf(databaseUnavailable() || !postgres)("instances wake each other through PostgreSQL", () => {
  let gw: Gateway;
  let worker: ManagedProcess;
  let lines: string[];

  beforeAll(async () => {
    // The web server of this test process has no worker; the worker runs in a process of its own and polls once a minute.
    gw = await startGateway({ worker: false, env: { WORKER_POLL_INTERVAL_MS: "60000", WORKER_IN_SERVER: "false" } });
    lines = [];
    worker = spawnNode({
      name: "standalone-worker",
      args: ["--import", "tsx", "lib/server/worker-main.ts"],
      env: { ...process.env, LOG_LEVEL: "info" },
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

  test("an event stored here is credited by the worker there within seconds, not after its poll", async () => {
    const started = Date.now();
    const paid = await gw.pay(10002, 900);
    await gw.waitCredited(paid.paymentId);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(gw.navixy.balanceCents(10002)).toBe(900);
    expect(gw.navixy.changeBalanceCalls(10002)).toBe(1);
    expect(lines.some((l) => l.includes("balance movement applied"))).toBe(true);
  }, 30_000);
});
