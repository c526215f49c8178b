// A reconciliation killed with kill -9 half way through the Navixy users resumes: started again, it continues the same
// run once the dead process's lease has run out, reads only the users not yet stored, and finishes balanced.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, type Gateway } from "../../dev/testing/harness";

const USERS = 48;
const TRANSACTION_LIST = "panel/user/transaction/list";

describe.skipIf(databaseUnavailable())("a reconciliation killed with kill -9", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      users: Array.from({ length: USERS }, (_, i) => ({ id: 50001 + i, firstName: "Payer", lastName: String(i), balance: "0.00" })),
      // A busy machine (every integration file in one command) made a payer's user read exceed the harness's 1 s.
      env: { RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m", NAVIXY_TIMEOUT_MS: "5000" },
    });
  });
  afterAll(async () => gw?.close());

  const root = path.resolve(__dirname, "../..");
  const reconcile = (day: string) => {
    // Node itself with tsx's loader (not the tsx wrapper, which would leave its node child running after a kill -9).
    const child = spawn(process.execPath, ["--import", "tsx", "lib/ops/payments-cli.ts", "reconcile", "--date", day], {
      cwd: root,
      env: { ...process.env, WORKER_IN_SERVER: "false", WORKER_LEASE_MS: "1000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, exit };
  };

  test("started again, the same run continues from the users it had stored and finishes balanced", { timeout: 180_000 }, async () => {
    for (let i = 0; i < USERS; i++) {
      const p = await gw.pay(50001 + i, 1000 + i);
      await gw.waitCredited(p.paymentId);
    }
    const day = new Date().toISOString().slice(0, 10);
    // Navixy answers slowly: the run is half way through its users for long enough to be killed there.
    gw.navixy.addFault({ method: TRANSACTION_LIST, always: true, action: { type: "delay", ms: 150 } });
    const listsBefore = gw.navixy.calls().filter((c) => c.method === TRANSACTION_LIST).length;

    const first = reconcile(day);
    const running = await waitFor(
      async () => {
        const run = await gw.services.db.reconciliationRun.findFirst({ where: { label: day } });
        return run && run.phase === "navixy" && (run.navixyCursor ?? 0) >= 12 ? run : null;
      },
      { what: "the run half way through the Navixy users", timeoutMs: 60_000, intervalMs: 20 },
    );
    first.child.kill("SIGKILL");
    const killed = await first.exit;
    expect(killed.signal).toBe("SIGKILL");

    const stopped = await gw.services.db.reconciliationRun.findUniqueOrThrow({ where: { id: running.id } });
    expect(stopped.status).toBe("running");
    expect(stopped.leaseOwner).not.toBeNull(); // the dead process's claim, until its lease runs out
    const usersStored = await gw.services.db.reconciliationEntry.count({ where: { runId: running.id, source: "navixy-user" } });
    expect(usersStored).toBeGreaterThanOrEqual(12);
    expect(usersStored).toBeLessThan(USERS);
    const listsOfFirst = gw.navixy.calls().filter((c) => c.method === TRANSACTION_LIST).length - listsBefore;

    gw.navixy.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the dead process's lease (WORKER_LEASE_MS 1000)
    const second = reconcile(day);
    const done = await second.exit;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`${day}: balanced (${USERS} payments`);

    const finished = await gw.services.db.reconciliationRun.findMany({ where: { label: day } });
    expect(finished.map((r) => [r.id, r.status])).toEqual([[running.id, "balanced"]]);
    const result = JSON.parse(finished[0]!.result!) as { read: { navixyUsers: number }; totals: Record<string, { credited: number; navixyCredited: number }> };
    expect(result.read.navixyUsers).toBe(USERS);
    expect(result.totals["eur"]).toMatchObject({ credited: USERS * 1000 + (USERS * (USERS - 1)) / 2, navixyCredited: USERS * 1000 + (USERS * (USERS - 1)) / 2 });
    // The second process read only the users the first had not stored (and at most one batch of 4 the first read
    // without storing before it died).
    const listsOfSecond = gw.navixy.calls().filter((c) => c.method === TRANSACTION_LIST).length - listsBefore - listsOfFirst;
    expect(listsOfSecond).toBe(USERS - usersStored);
    expect(listsOfFirst + listsOfSecond).toBeLessThanOrEqual(USERS + 4);
  });
});
