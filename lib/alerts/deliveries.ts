// Alert messages out, as the worker's queue "alert": its due rows are AlertDelivery rows, one lane per dealer (its own
// slots and circuit in the worker, apart from the dealer's money). Working a lane claims every delivery of that dealer
// and channel that is due (a conditional update: of several workers, each row goes to one), composes one message of
// them, and hands it to this process's sender, which sends at most SENDS_AT_ONCE messages at once in the background:
// the worker's slot is held for the claim's few statements, never for a mail server, so a dead or hanging mail server
// never delays a credit. A send that fails is retried with backoff (about a day, then given up and audited); a lane
// over ALERT_MAX_PER_HOUR messages waits, and what piles up meanwhile goes out as one message. A claimed delivery whose
// process died is taken over when its lease ends (sent again, at worst: an e-mail is at least once).
import type { Db } from "../db/client";
import { newId } from "../ids";
import { logger } from "../logging/logger";
import { countAlertMessage } from "../metrics";
import { audit } from "../admin/audit";
import { backoffDelay } from "../payments/outbox/backoff";
import { NOTHING_DONE, type WorkQueue } from "../payments/worker/queue";
import { servicesForDealer, type Services } from "../server/services";
import { sendAlertEmail, postAlertWebhook } from "./channels";
import { deliveryLane, type AlertChannel } from "./evaluate";
import type { AlertEvent } from "./incidents";
import { alertEntry, composeMessage, incidentItems, type AlertEntry } from "./message";

/** Messages this process sends at once, at most. */
export const SENDS_AT_ONCE = 2;
/** Attempts before a delivery is given up: 30 s doubling to an hour is about a day. */
export const MAX_ATTEMPTS = 30;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 3_600_000;
const HOUR = 3_600_000;

interface SenderState {
  sending: Set<Promise<void>>;
}

const sender: SenderState = ((globalThis as { __gatewayAlertSender?: SenderState }).__gatewayAlertSender ??= { sending: new Set() });

/** Waits for this process's sends under way (at most `timeoutMs`): a worker that stops lets them finish. */
export async function drainAlertSends(timeoutMs = 30_000): Promise<void> {
  if (sender.sending.size === 0) return;
  await Promise.race([Promise.allSettled([...sender.sending]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref?.())]);
}

/** Sends under way in this process. */
export function alertSendsInFlight(): number {
  return sender.sending.size;
}

const due = (now: Date) => ({ OR: [{ state: "pending", nextAttemptAt: { lte: now } }, { state: "sending", leaseUntil: { lt: now } }] });

const SYSTEM = "system:alerts";

export function alertDeliveryQueue(): WorkQueue {
  return {
    name: "alert",
    intervalMs: 5_000,
    // The lane is not the dealer's: the dealer's services are built in work() (a dealer backed off for its Navixy
    // still hears about it).
    usesDealerServices: false,
    async due(db, q) {
      // A command or test worker of one dealer leaves the deployment's alerts to the process's worker.
      if (q.onlyDealer) return [];
      const rows = await db.alertDelivery.findMany({
        where: due(q.now),
        orderBy: { nextAttemptAt: "asc" },
        take: q.limit * 4,
        select: { dealerId: true, channel: true },
      });
      const lanes = new Map<string, { dealerId: string; channel: string }>();
      for (const r of rows) lanes.set(`${r.channel}|${r.dealerId}`, r);
      const excluded = new Set(q.excludeDealers);
      return [...lanes.entries()]
        .filter(([, r]) => !excluded.has(deliveryLane(r.dealerId)))
        .slice(0, q.limit)
        .map(([id, r]) => ({ queue: "alert", dealerId: deliveryLane(r.dealerId), id }));
    },
    async work(claimant, item) {
      const split = item.id.indexOf("|");
      const channel = item.id.slice(0, split) as AlertChannel;
      const dealerId = item.id.slice(split + 1);
      if (sender.sending.size >= SENDS_AT_ONCE) return NOTHING_DONE;
      const outcome = await claimAndSend(claimant.services, claimant.id, dealerId, channel);
      return outcome === "nothing" ? NOTHING_DONE : { worked: true, health: "neutral", ...(outcome instanceof Date ? { retryAt: outcome } : {}) };
    },
  };
}

/**
 * Claims a lane's due deliveries and starts their message. Returns "nothing" when another worker had them, the time
 * they wait for when the lane is over its hourly cap, or "started".
 */
export async function claimAndSend(deployment: Services, workerId: string, dealerId: string, channel: AlertChannel, now = new Date()): Promise<"nothing" | "started" | Date> {
  const { rootDb } = deployment;
  const { maxPerHour, sendTimeoutMs } = deployment.config.alerts;
  const lastHour = await rootDb.alertDelivery.groupBy({
    by: ["messageId"],
    where: { dealerId, channel, state: "sent", sentAt: { gte: new Date(now.getTime() - HOUR) } },
    _min: { sentAt: true },
  });
  if (lastHour.length >= maxPerHour) {
    const oldest = Math.min(...lastHour.map((m) => m._min.sentAt?.getTime() ?? now.getTime()));
    const until = new Date(oldest + HOUR);
    const { count } = await rootDb.alertDelivery.updateMany({ where: { dealerId, channel, state: "pending", nextAttemptAt: { lt: until } }, data: { nextAttemptAt: until } });
    if (count > 0) logger.warn({ dealerId, channel, messagesLastHour: lastHour.length, until: until.toISOString() }, "alerts: hourly cap reached, the next message waits and groups what comes meanwhile");
    return until;
  }
  const claimed = await rootDb.alertDelivery.updateManyAndReturn({
    where: { dealerId, channel, ...due(now) },
    data: { state: "sending", leaseOwner: workerId, leaseUntil: new Date(now.getTime() + 2 * sendTimeoutMs + 5_000), attempts: { increment: 1 }, version: { increment: 1 } },
  });
  if (claimed.length === 0) return "nothing";
  const ids = claimed.map((d) => d.id);
  const mine = { id: { in: ids }, leaseOwner: workerId, state: "sending" };
  const services = await servicesForDealer(dealerId).catch(() => null);
  const target = services ? (channel === "email" ? services.config.alerts.email : services.config.alerts.webhookUrl) : null;
  if (!services || !target) {
    await rootDb.alertDelivery.updateMany({
      where: mine,
      data: { state: "skipped", leaseOwner: null, leaseUntil: null, lastError: services ? `the dealer has no ${channel} for alerts any more` : "the dealer no longer exists" },
    });
    return "started";
  }
  const entries = await messageEntries(rootDb, services, claimed, now);
  const dealer = { id: services.dealer.id, slug: services.dealer.slug, name: services.dealer.isDefault ? (services.config.brand.name ?? "") : services.dealer.name, isDefault: services.dealer.isDefault };
  const message = composeMessage(dealer, entries);
  const messageId = newId("msg", now.getTime());
  const send =
    channel === "email"
      ? () => sendAlertEmail(services.config.alerts.email!, message, sendTimeoutMs)
      : () => postAlertWebhook(services.config.alerts.webhookUrl!, message, sendTimeoutMs);
  const job: Promise<void> = send()
    .then(
      () => delivered(rootDb, { dealerId, channel, ids, mine, messageId, entries, slug: services.dealer.slug }),
      (error: unknown) => failed(rootDb, { dealerId, channel, claimed, workerId, error, slug: services.dealer.slug }),
    )
    .catch((error: unknown) => logger.error({ dealerId, channel, err: error }, "alerts: could not record a message's outcome (the lease ends and it is tried again)"))
    .finally(() => sender.sending.delete(job));
  sender.sending.add(job);
  return "started";
}

async function messageEntries(rootDb: Db, services: Services, claimed: { incidentId: string; event: string; createdAt: Date }[], now: Date): Promise<AlertEntry[]> {
  const incidents = new Map((await rootDb.alertIncident.findMany({ where: { id: { in: [...new Set(claimed.map((d) => d.incidentId))] } } })).map((i) => [i.id, i]));
  const items = new Map<string, Awaited<ReturnType<typeof incidentItems>>>();
  const entries: AlertEntry[] = [];
  for (const d of [...claimed].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const incident = incidents.get(d.incidentId);
    if (!incident) continue;
    if (!items.has(incident.id)) items.set(incident.id, incident.state === "resolved" ? { lines: [], total: 0 } : await incidentItems(rootDb, incident, services.dealer, now));
    entries.push(alertEntry(incident, d.event as AlertEvent, services.dealer, items.get(incident.id)!, services.config.siteUrl));
  }
  return entries;
}

async function delivered(
  rootDb: Db,
  m: { dealerId: string; channel: AlertChannel; ids: string[]; mine: object; messageId: string; entries: AlertEntry[]; slug: string },
): Promise<void> {
  const sentAt = new Date();
  await rootDb.alertDelivery.updateMany({ where: m.mine, data: { state: "sent", sentAt, messageId: m.messageId, leaseOwner: null, leaseUntil: null, lastError: null } });
  countAlertMessage(m.slug, m.channel, "sent");
  logger.info({ dealerId: m.dealerId, channel: m.channel, messageId: m.messageId, alerts: m.entries.map((e) => `${e.event}:${e.kind}`) }, "alert message sent");
  for (const e of m.entries) {
    await audit(rootDb, { actor: SYSTEM, action: "alert.sent", dealerId: m.dealerId, target: e.incidentId, after: { kind: e.kind, subject: e.subject, event: e.event, channel: m.channel, messageId: m.messageId, title: e.title } });
  }
}

async function failed(
  rootDb: Db,
  f: { dealerId: string; channel: AlertChannel; claimed: { id: string; incidentId: string; event: string; attempts: number }[]; workerId: string; error: unknown; slug: string },
): Promise<void> {
  const reason = (f.error instanceof Error ? f.error.message : String(f.error)).slice(0, 500);
  countAlertMessage(f.slug, f.channel, "failed");
  const now = Date.now();
  let givenUp = 0;
  for (const d of f.claimed) {
    const last = d.attempts >= MAX_ATTEMPTS;
    const { count } = await rootDb.alertDelivery.updateMany({
      where: { id: d.id, leaseOwner: f.workerId, state: "sending" },
      data: last
        ? { state: "failed", leaseOwner: null, leaseUntil: null, lastError: reason }
        : { state: "pending", nextAttemptAt: new Date(now + backoffDelay(d.attempts, RETRY_BASE_MS, RETRY_MAX_MS)), leaseOwner: null, leaseUntil: null, lastError: reason },
    });
    if (last && count > 0) {
      givenUp++;
      await audit(rootDb, { actor: SYSTEM, action: "alert.undelivered", dealerId: f.dealerId, target: d.incidentId, after: { event: d.event, channel: f.channel, attempts: d.attempts, error: reason } });
    }
  }
  logger.warn({ dealerId: f.dealerId, channel: f.channel, deliveries: f.claimed.length, givenUp, err: reason }, "alert message not sent: retried later");
}
