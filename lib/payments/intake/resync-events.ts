// Recovery after an outage of our webhook endpoint: list the events Stripe still keeps (about 30 days)
// and feed the ones we never stored through the normal path. Already stored ones are skipped by their id.
import { HANDLED_EVENT_TYPES } from "./handle-stripe-event";
import { storeVerifiedEvent, type IntakeDeps } from "./receive-stripe-webhook";

export async function resyncEvents(services: IntakeDeps, since: Date): Promise<{ listed: number; stored: number }> {
  let listed = 0;
  let stored = 0;
  const events = services.stripe.events.list({
    created: { gte: Math.floor(since.getTime() / 1000) },
    types: [...HANDLED_EVENT_TYPES],
    limit: 100,
  });
  for await (const event of events) {
    listed++;
    if ((await storeVerifiedEvent(services, event, JSON.stringify(event))) === "stored") stored++;
  }
  return { listed, stored };
}
