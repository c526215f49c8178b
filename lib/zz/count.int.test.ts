import fs from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startGateway, type Gateway } from "../../dev/testing/harness";

let gw: Gateway;
beforeAll(async () => { gw = await startGateway({ env: { RATE_LIMIT_PAYMENTS_PER_USER: "1000/10m", RATE_LIMIT_PAYMENTS_PER_IP: "1000/10m", WORKER_POLL_INTERVAL_MS: "60000" } }); }, 60_000);
afterAll(async () => { await gw?.close(); });

test("count", async () => {
  for (let i = 0; i < 3; i++) { const p = await gw.pay(10002, 500); await gw.waitCredited(p.paymentId); }
  const log = "/tmp/gateway-pg-54400/server.log";
  const dbName = (await gw.services.rootDb.$queryRawUnsafe<{ d: string }[]>("select current_database()::text as d"))[0]!.d;
  const N = 5;
  const created: string[] = [];
  for (let i = 0; i < N; i++) created.push((await gw.createPayment(10002, 500)).piId);
  await new Promise((r) => setTimeout(r, 1000));
  const before = fs.readFileSync(log, "utf8").length;
  for (const pi of created) {
    const p = await gw.stripe.paymentIntents.retrieve(pi);
    await gw.confirmAsPayer(pi, p.client_secret!);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const text = fs.readFileSync(log, "utf8").slice(before).split("\n").filter((l) => l.includes(` ${dbName} `) && /LOG:  (statement|execute)/.test(l));
  console.log("TOTAL per payment", text.length / N);
  console.log("SEQ\n" + text.slice(0, Math.ceil(text.length / N) + 2).map((l) => (/(?:statement|execute [^:]*): (.{0,110})/.exec(l)?.[1] ?? l).replace(/"public"\./g, "")).join("\n"));
  expect(1).toBe(1);
}, 120_000);
