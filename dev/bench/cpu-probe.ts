// Scratch: server CPU per credited event (gateway) vs per verified event (floor), paced.
import fs from "node:fs";
import path from "node:path";
import { createDb } from "../../lib/db/client";
import { ensureDirs, FLOOR_DIR, ROOT } from "./support/env";
import { ensureBuilds, floorEnv, freshSqlite, gatewayEnv, rssMb, startEmulators, startServer } from "./support/servers";
import { preparePayments } from "./support/payments";
import { paced } from "./support/load";
import { creditLatencies, drain } from "./support/ledger";

function cpuMs(pid: number): number {
  const kids = new Map<number, number[]>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try { const st = fs.readFileSync(`/proc/${e}/stat`, "utf8"); const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]); (kids.get(ppid) ?? kids.set(ppid, []).get(ppid)!).push(Number(e)); } catch {}
  }
  let ticks = 0;
  const visit = (p: number) => { try { const st = fs.readFileSync(`/proc/${p}/stat`, "utf8").slice(fs.readFileSync(`/proc/${p}/stat`, "utf8").lastIndexOf(")") + 2).split(" "); ticks += Number(st[11]) + Number(st[12]); } catch {} for (const c of kids.get(p) ?? []) visit(c); };
  visit(pid);
  return ticks * 10;
}

async function main() {
  ensureDirs();
  ensureBuilds({ force: false, skip: false });
  const emu = await startEmulators();
  const N = Number(process.env.N ?? 300), RATE = Number(process.env.RATE ?? 20);
  const dbUrl = process.env.PG_URL ?? freshSqlite("cpu-probe");
  const gw = await startServer({ name: "cpu-gw", env: { ...gatewayEnv(emu, dbUrl, 0), LOG_LEVEL: process.env.GW_LOG ?? "info", WORKER_IN_SERVER: process.env.WORKER === "0" ? "false" : "true" }, readyPath: "/api/health", ...(process.env.PROF ? { nodeArgs: ["--inspect=127.0.0.1:9339"] } : {}) });
  const floor = await startServer({ name: "cpu-floor", dir: path.relative(ROOT, FLOOR_DIR), env: floorEnv(emu), readyPath: "/" });
  const { db } = createDb(dbUrl);
  const events = await preparePayments(db, emu.stripeUrl, N + 60);
  const warm = events.slice(0, 60), measured = events.slice(60);
  const noWorker = process.env.WORKER === "0";
  await paced(`${gw.url}/api/stripe/webhook`, warm, RATE); if (!noWorker) await drain(db);
  await paced(`${floor.url}/api/webhook`, warm, RATE);
  await new Promise((r) => setTimeout(r, 2000));
  const gpid = gw.child.pid!, fpid = floor.child.pid!;
  let prof: import("node:child_process").ChildProcess | undefined;
  if (process.env.PROF) {
    const { spawn } = await import("node:child_process");
    const targets = (await (await fetch("http://127.0.0.1:9339/json/list")).json()) as { webSocketDebuggerUrl: string }[];
    prof = spawn(process.execPath, ["--experimental-websocket", path.join(ROOT, "dev/bench/prof-client.cjs"), targets[0]!.webSocketDebuggerUrl, "/tmp/window.cpuprofile"], { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise((r) => prof!.stdout!.once("data", r));
  }
  let c0 = cpuMs(gpid);
  const okAt = await paced(`${gw.url}/api/stripe/webhook`, measured, RATE); if (!noWorker) await drain(db);
  const gwCpu = cpuMs(gpid) - c0;
  if (prof) { prof.stdin!.end(); await new Promise((r) => prof!.once("exit", r)); }
  const lat = await creditLatencies(emu.navixyUrl, okAt);
  c0 = cpuMs(fpid);
  await paced(`${floor.url}/api/webhook`, measured, RATE);
  const flCpu = cpuMs(fpid) - c0;
  // idle
  c0 = cpuMs(gpid); await new Promise((r) => setTimeout(r, 10_000)); const idle = (cpuMs(gpid) - c0) / 10_000 * 100;
  console.log(JSON.stringify({ N, gwMsPerEvent: gwCpu / N, floorMsPerEvent: flCpu / N, ratio: gwCpu / flCpu, creditP50: lat.summary.p50, missing: lat.missing, gwRss: rssMb(gpid), floorRss: rssMb(fpid), idleCpuPct: idle }));
  await gw.stop(); await floor.stop(); emu.process.kill(); await db.$disconnect();
  process.exit(0);
}
main();
