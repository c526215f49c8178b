// Webhook deliveries in flight, for the worker to give way to. Stripe waits on our answer and times out; a
// credit can start a few milliseconds later. The worker shares this process's event loop (and, on SQLite, its
// one database connection), so while deliveries arrive it works on one row at most every MAX_DEFER_MS and
// catches up as soon as they pause. Kept on globalThis: Next.js evaluates modules once per bundle.
import { observeWebhookHandling } from "../metrics";

const state = ((globalThis as { __gatewayRequestActivity?: { inFlight: number; lastEndedAt: number } }).__gatewayRequestActivity ??= {
  inFlight: 0,
  lastEndedAt: 0,
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
    state.lastEndedAt = performance.now();
    observeWebhookHandling((state.lastEndedAt - startedAt) / 1000);
  };
}

/** True while a delivery is in flight or one ended less than `quietMs` ago. */
export function deliveriesBusy(quietMs: number): boolean {
  return state.inFlight > 0 || performance.now() - state.lastEndedAt < quietMs;
}
