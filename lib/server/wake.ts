// Telling the worker that work is waiting, and which: a stored event or an owed movement names its queue, dealer and
// row, so the worker claims that row at once instead of scanning every dealer's queues. The worker of this process
// takes it when it can start it now; otherwise (no worker here, or it is busy) the hint goes to the other instances
// through the database (lib/db/work-channel.ts, PostgreSQL only), so a row stored here never waits for a poll there.
// Kept on globalThis: Next.js evaluates modules once per bundle (instrumentation, each route, each page).
import { randomUUID } from "node:crypto";

/**
 * A row that just became due: `queue` is the worker queue's name ("event", "movement"). The writer of a new row knows
 * its version and state (0, "received" or "pending"): the worker then claims it without reading it first.
 */
export interface WorkHint {
  queue: string;
  dealerId: string;
  id: string;
  version?: number;
  state?: string;
}

/** A worker in this process: returns true when it starts the hinted row now (a hint-less wake returns false). */
export type WakeListener = (hint: WorkHint | undefined) => boolean;

interface WakeState {
  listeners: Set<WakeListener>;
  /** Sends a hint to the other instances (set where the database is PostgreSQL). */
  publish: ((payload: string) => void) | undefined;
  /** This process, as the sender of its notifications. */
  origin: string;
  /** Since when this process has listened on the work channel (undefined: it does not, or its connection is down). */
  listeningSince: number | undefined;
  /** The other instances that listen, by origin: when each was last heard announcing itself. */
  peers: Map<string, number>;
}

const state: WakeState = ((globalThis as { __gatewayWake?: WakeState }).__gatewayWake ??= {
  listeners: new Set(),
  publish: undefined,
  origin: `@${randomUUID()}`,
  listeningSince: undefined,
  peers: new Map(),
});

/**
 * Presence on the work channel. Every instance that listens says so when its connection comes up ("hello"), answers
 * another's hello ("here") and repeats it every PRESENCE_INTERVAL_MS. A hint is sent only while another instance may
 * be listening: on a deployment of one instance a burst of webhooks costs no notification at all. A process that
 * does not listen itself cannot know and always sends; one that just (re)connected sends until the others answered.
 * Missing a peer only delays its work until its next poll: hints are never the only way rows are found.
 */
export const PRESENCE_INTERVAL_MS = 30_000;
/** A peer not heard for this long is taken to be gone (two announcements missed, and some). */
export const PEER_SILENT_MS = 2.5 * PRESENCE_INTERVAL_MS;
/** After (re)connecting, how long hints are still sent while the other instances answer the hello. */
export const PRESENCE_ANSWER_MS = 5_000;

export type Presence = "hello" | "here";
const PRESENCE_LINE: Record<Presence, string> = { hello: "!hello", here: "!here" };
const presenceOf = (line: string): Presence | undefined => (line === "!hello" ? "hello" : line === "!here" ? "here" : undefined);

/** This process's LISTEN connection is up (since `at`), or down (undefined). */
export function setListening(at: number | undefined): void {
  state.listeningSince = at;
}

/** Another instance announced itself. */
export function notePeer(origin: string, at = Date.now()): void {
  state.peers.set(origin, at);
}

/** Whether a hint sent now may reach a worker of another instance (see PRESENCE_INTERVAL_MS). */
export function othersMayListen(now = Date.now()): boolean {
  if (state.listeningSince === undefined || now - state.listeningSince < PRESENCE_ANSWER_MS) return true;
  for (const [origin, heard] of state.peers) {
    if (now - heard < PEER_SILENT_MS) return true;
    state.peers.delete(origin);
  }
  return false;
}

/** Announces this process on the work channel (never held back: it is how the others learn that it listens). */
export function announcePresence(presence: Presence): void {
  state.publish?.(PRESENCE_LINE[presence]);
}

/** This process's name on the work channel: the first line of each notification it sends. */
export function processOrigin(): string {
  return state.origin;
}

export function onWorkerWake(listener: WakeListener): () => void {
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

export function setWakePublisher(publish: ((payload: string) => void) | undefined): void {
  state.publish = publish;
}

/** Wakes this process's worker; a hint no worker here starts at once is passed to the other instances. */
export function wakeWorkers(hint?: WorkHint): void {
  let taken = false;
  for (const listener of state.listeners) {
    try {
      if (listener(hint)) taken = true;
    } catch {
      // A listener's failure must not fail the request that stored the row.
    }
  }
  if (hint && !taken && othersMayListen()) state.publish?.(encodeHint(hint));
}

export function encodeHint(hint: WorkHint): string {
  return [hint.queue, hint.dealerId, hint.id, hint.version ?? "", hint.state ?? ""].join("\t");
}

export function decodeHint(payload: string): WorkHint | undefined {
  const [queue, dealerId, id, version, state, ...rest] = payload.split("\t");
  if (!queue || !dealerId || !id || rest.length > 0) return undefined;
  const hint: WorkHint = { queue, dealerId, id };
  if (version && /^\d{1,9}$/.test(version)) hint.version = Number(version);
  if (state) hint.state = state;
  return hint;
}

/**
 * A notification on the work channel: its sender's origin line, then one hint per line (lib/db/work-channel.ts). An
 * instance ignores its own: its worker was offered each hint before it was sent. A payload without an origin line is
 * one hint of an instance of an earlier version; a line that is not a hint asks for a look for due rows (undefined).
 * "!hello" and "!here" are the sender announcing that it listens (a hello, the stronger, wins when both come).
 */
export function decodeNotice(payload: string): { own: boolean; origin: string | null; hints: (WorkHint | undefined)[]; presence?: Presence } {
  const lines = payload.split("\n");
  const origin = lines[0]?.startsWith("@") ? lines.shift()! : null;
  let presence: Presence | undefined;
  const hints: (WorkHint | undefined)[] = [];
  for (const line of lines) {
    const announced = presenceOf(line);
    if (announced) presence = presence === "hello" ? presence : announced;
    else hints.push(decodeHint(line));
  }
  return { own: origin === state.origin, origin, hints, ...(presence ? { presence } : {}) };
}
