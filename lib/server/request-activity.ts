// Webhook deliveries in flight, and whether they bring a burst of new events, for the worker to give way to. Stripe
// waits on our answer; a credit can start a moment later. The worker shares this process's event loop (and, on SQLite,
// its one database connection), so while a burst of new events arrives it starts no row and catches up as soon as the
// burst ends. Kept on globalThis: Next.js evaluates modules once per bundle.
import { observeWebhookHandling } from "../metrics";

/** A burst is this many new events within the window, or this many latest events mostly new while deliveries queue. */
const EVENT_BURST_SIZE = 10;
/** Of the latest EVENT_BURST_SIZE events, how many new ones make a queue of deliveries a burst (not a redelivery flood). */
const MOSTLY_NEW = 8;
/** Deliveries in flight at once that are a queue: the process is not keeping up with them. */
const QUEUED_DELIVERIES = 4;

interface DeliveryActivity {
  inFlight: number;
  /** When the latest EVENT_BURST_SIZE new events were stored (a ring; 0: none yet). */
  storedAt: number[];
  next: number;
  /** The latest EVENT_BURST_SIZE events received, new (true) or redelivered (false) (a ring). */
  fresh: boolean[];
  nextFresh: number;
}

const state = ((globalThis as { __gatewayRequestActivity?: DeliveryActivity }).__gatewayRequestActivity ??= {
  inFlight: 0,
  storedAt: new Array<number>(EVENT_BURST_SIZE).fill(0),
  next: 0,
  fresh: new Array<boolean>(EVENT_BURST_SIZE).fill(false),
  nextFresh: 0,
});

/** Marks a delivery as started; call the returned function when it is answered (its time is a metric). */
export function beginDelivery(): () => void {
  state.inFlight++;
  const startedAt = performance.now();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    state.inFlight--;
    observeWebhookHandling((performance.now() - startedAt) / 1000);
  };
}

/** A delivery's verified event was stored (new) or was already stored (a redelivery). */
export function noteEventReceived(isNew: boolean, now = performance.now()): void {
  state.fresh[state.nextFresh] = isNew;
  state.nextFresh = (state.nextFresh + 1) % EVENT_BURST_SIZE;
  if (!isNew) return;
  state.storedAt[state.next] = now;
  state.next = (state.next + 1) % EVENT_BURST_SIZE;
}

/**
 * True while new events arrive in a burst: EVENT_BURST_SIZE of them within the last `windowMs`, or, while deliveries
 * queue up (QUEUED_DELIVERIES in flight), the latest events mostly new and the last of them within `windowMs`: a
 * process that falls behind a burst must not stop seeing it because it answers slower. Redeliveries of events already
 * stored, and new ones at the pace the worker credits them as they come, are not a burst.
 */
export function newEventsBursting(windowMs: number, now = performance.now()): boolean {
  const oldest = state.storedAt[state.next]!; // the ring's oldest of the latest EVENT_BURST_SIZE
  if (oldest > 0 && now - oldest < windowMs) return true;
  if (state.inFlight < QUEUED_DELIVERIES) return false;
  const latest = state.storedAt[(state.next + EVENT_BURST_SIZE - 1) % EVENT_BURST_SIZE]!;
  return latest > 0 && now - latest < windowMs && state.fresh.filter(Boolean).length >= MOSTLY_NEW;
}

/** Tests: as if no event had arrived yet. */
export function resetDeliveryActivityForTests(): void {
  state.storedAt.fill(0);
  state.next = 0;
  state.fresh.fill(false);
  state.nextFresh = 0;
}
