// POST /api/stripe/webhook. Verify the signature on the raw body (fail closed), store the event once,
// answer 200 at once. Processing happens in the worker, so Stripe never waits for Stripe or Navixy calls,
// and a failure while processing is retried by us instead of depending on Stripe's redelivery.
import type Stripe from "stripe";
import { HttpError, json } from "../../http/responses";
import { readBodyText } from "../../http/body";
import type { Services } from "../../server/services";
import { requestLogger } from "../../logging/logger";
import { HANDLED_EVENT_TYPES } from "./handle-stripe-event";
import { countWebhook } from "../../metrics";
import { noteEventReceived } from "../../server/request-activity";

/** What receiving an event needs: where to store it, how to verify it, and a way to wake the worker. */
export type IntakeDeps = Pick<Services, "dealer" | "config" | "db" | "sql" | "stripe" | "wakeWorker">;

const MAX_BODY_BYTES = 1024 * 1024;

export async function receiveStripeWebhook(services: IntakeDeps, request: Request): Promise<Response> {
  const signature = request.headers.get("stripe-signature");
  if (!signature) {
    countWebhook(services.dealer.slug, null, "bad_signature");
    throw new HttpError(400, "missing_signature", "The Stripe-Signature header is missing.");
  }
  // Counted while reading: a body without a Content-Length is cut off at the cap too.
  const payload = await readBodyText(request, MAX_BODY_BYTES).catch((error: unknown) => {
    countWebhook(services.dealer.slug, null, "refused");
    throw error;
  });

  let event: Stripe.Event;
  try {
    event = await services.stripe.webhooks.constructEventAsync(payload, signature, services.config.stripe.webhookSecret);
  } catch {
    countWebhook(services.dealer.slug, null, "bad_signature");
    throw new HttpError(400, "invalid_signature", "The webhook signature could not be verified.");
  }
  // A valid signature over something that is not an event object (e.g. `null`, an array) is still refused.
  if (!event || typeof event !== "object" || Array.isArray(event) || typeof event.id !== "string" || typeof event.type !== "string") {
    countWebhook(services.dealer.slug, null, "refused");
    throw new HttpError(400, "invalid_event", "The webhook body is not a Stripe event.");
  }

  try {
    const stored = await storeVerifiedEvent(services, event, payload);
    countWebhook(services.dealer.slug, event.type, stored);
    // A burst of new events (not redeliveries) is answered before the worker credits it (lib/payments/worker/give-way.ts).
    noteEventReceived(stored === "stored");
    return json(stored === "duplicate" ? { received: true, duplicate: true } : { received: true });
  } catch (error) {
    requestLogger(request).error({ eventId: event.id, eventType: event.type, err: error }, "could not store the Stripe event");
    countWebhook(services.dealer.slug, event.type, "error");
    // 500 makes Stripe deliver it again later: nothing is lost.
    throw new HttpError(500, "storage_unavailable", "The event could not be stored; Stripe will retry.");
  }
}

/**
 * Stores a verified event once for this dealer (the primary key is the dealer and Stripe's event id) and wakes the
 * worker. Used by the webhook and by the resync of events Stripe still lists. Another dealer on the same Stripe
 * account stores the same event for itself: each dealer's lane sees every event, and handles its own payments'.
 */
export async function storeVerifiedEvent(services: IntakeDeps, event: Stripe.Event, payload: string): Promise<"stored" | "duplicate"> {
  const handled = (HANDLED_EVENT_TYPES as readonly string[]).includes(event.type);
  const wrongMode = event.livemode !== services.config.stripe.livemode;
  // An event of a connected account (Stripe Connect names it): this gateway takes payments on its own account only,
  // so the endpoint was registered for another account's events. Recorded as such, never processed.
  const connected = typeof (event as { account?: unknown }).account === "string" ? (event as { account: string }).account : null;
  const status = connected ? "foreign" : handled && !wrongMode ? "received" : "ignored";
  const note = connected
    ? `event of the connected account ${connected}: this endpoint receives another Stripe account's events`
    : wrongMode
      ? `event is ${event.livemode ? "live" : "test"} mode, this gateway is not`
      : null;
  const object = (event.data?.object ?? {}) as { id?: unknown };
  const now = new Date();
  // One plain INSERT straight to the driver (lib/db/direct.ts), a duplicate (Stripe delivers at least once) inserting
  // nothing: this is the busiest write of the gateway. It is not scoped by lib/db/dealer-scope.ts: it names the
  // dealer itself, in the row and in the conflict key.
  const inserted = await services.sql.execute(
    `INSERT INTO "StripeEvent" ("id", "dealerId", "type", "objectId", "livemode", "payload", "status", "attempts", "nextAttemptAt",
      "version", "lastError", "stripeCreatedAt", "receivedAt", "processedAt")
    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?, ?)
    ON CONFLICT ("dealerId", "id") DO NOTHING`,
    [
      event.id,
      services.dealer.id,
      event.type,
      typeof object.id === "string" ? object.id : null,
      Boolean(event.livemode),
      payload,
      status,
      now,
      note,
      new Date((Number(event.created) || 0) * 1000),
      now,
      status === "received" ? null : now,
    ],
  );
  if (inserted === 0) return "duplicate";
  // The worker claims this very row (in this process, or another instance through the database).
  if (status === "received") services.wakeWorker({ queue: "event", dealerId: services.dealer.id, id: event.id, version: 0 });
  return "stored";
}
