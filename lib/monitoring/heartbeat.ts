// Each worker process says it is alive: a WorkerHeartbeat row written every HEARTBEAT_EVERY_MS (one small upsert
// by primary key), only while its loop keeps finishing passes, so a worker stuck on something stops beating. /api/ready
// and the gauge gateway_worker_last_seen_seconds read it: "a worker ran recently, here or on another instance".
import os from "node:os";
import type { Db } from "../db/client";
import { logger } from "../logging/logger";

export const HEARTBEAT_EVERY_MS = 5_000;
/** A worker whose heartbeat is older than this is not counted as running. */
export const WORKER_SEEN_WITHIN_MS = 30_000;
/** Rows of workers gone for this long (killed, not stopped) are removed. */
const FORGET_AFTER_MS = 86_400_000;

/** What the worker exposes to its heartbeat. */
export interface BeatingWorker {
  id: string;
  lastPassAt: number;
}

interface HeartbeatState {
  /** This process's worker, while it runs. */
  worker: BeatingWorker | undefined;
  /** When this process last wrote its heartbeat. */
  lastBeatAt: number;
  /** How long a pass may take before the loop counts as stuck. */
  stuckAfterMs: number;
  /** When this process's worker started: its first pass is measured from there. */
  startedAt: number;
}

const state: HeartbeatState = ((globalThis as { __gatewayHeartbeat?: HeartbeatState }).__gatewayHeartbeat ??= {
  worker: undefined,
  lastBeatAt: 0,
  stuckAfterMs: 60_000,
  startedAt: 0,
});

/** When the worker's loop last finished a pass, or started (before its first pass). */
const lastTurn = (w: BeatingWorker) => Math.max(w.lastPassAt, state.startedAt);

/** This process's worker: running, and its loop finished a pass recently. */
export function localWorker(now = Date.now()): { id: string; turning: boolean; lastPassAt: number } | null {
  const w = state.worker;
  if (!w) return null;
  return { id: w.id, turning: now - lastTurn(w) < state.stuckAfterMs, lastPassAt: lastTurn(w) };
}

export interface Heartbeat {
  stop(): Promise<void>;
}

/**
 * Starts the heartbeat of this process's worker. `pollIntervalMs`: the worker's poll interval, a pass at least
 * that often (three of them, or a minute, without one and the loop counts as stuck).
 */
export function startHeartbeat(db: Db, worker: BeatingWorker, pollIntervalMs: number): Heartbeat {
  const startedAt = new Date();
  state.worker = worker;
  state.startedAt = startedAt.getTime();
  state.stuckAfterMs = Math.max(60_000, 3 * pollIntervalMs);
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    const now = Date.now();
    if (now - lastTurn(worker) >= state.stuckAfterMs) {
      logger.warn({ worker: worker.id, lastPassAt: new Date(lastTurn(worker)).toISOString() }, "worker loop has not finished a pass for a while: heartbeat withheld");
      return;
    }
    const seenAt = new Date(now);
    await db.workerHeartbeat.upsert({
      where: { workerId: worker.id },
      create: { workerId: worker.id, host: os.hostname().slice(0, 200), pid: process.pid, startedAt, seenAt },
      update: { seenAt },
    });
    state.lastBeatAt = now;
    // Now and then, the rows of workers that died without stopping.
    if (Math.random() < 0.01) await db.workerHeartbeat.deleteMany({ where: { seenAt: { lt: new Date(now - FORGET_AFTER_MS) } } });
  };
  const tick = () => {
    beating = beating.then(beat).catch((error) => logger.warn({ err: error }, "could not write the worker's heartbeat"));
  };
  // The first beat once the loop has made its first pass (it starts right away).
  const first = setTimeout(tick, 50);
  const timer = setInterval(tick, HEARTBEAT_EVERY_MS);
  timer.unref?.();
  first.unref?.();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await beating;
      if (state.worker === worker) state.worker = undefined;
      await db.workerHeartbeat.deleteMany({ where: { workerId: worker.id } }).catch(() => {});
    },
  };
}
