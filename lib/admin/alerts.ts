// The console's view of a dealer's alerts (lib/alerts) and of how its money moves right now: the same signals as
// GET /metrics (the ledger's snapshot, lib/monitoring/ledger-signals.ts), the worker's heartbeat, the open and recent
// incidents with each message's fate. Every query of a dealer's rows goes through its scope.
import { KINDS, isAlertKind } from "../alerts/kinds";
import { ledgerSnapshot, dealerOperations, type DealerOperations } from "../monitoring/ledger-signals";
import { WORKER_SEEN_WITHIN_MS, localWorker } from "../monitoring/heartbeat";
import { channelsOf } from "../alerts/evaluate";
import type { Services } from "../server/services";

export interface OperationsView {
  ops: DealerOperations;
  /** When a worker of the deployment was last seen (any instance), and whether that is recent enough. */
  worker: { seenAt: Date | null; running: boolean; here: boolean };
  /** The channels this dealer's alerts go to. */
  channels: string[];
}

export async function operationsView(services: Services, now = Date.now()): Promise<OperationsView> {
  const snapshot = await ledgerSnapshot(services.rootDb, now);
  const here = localWorker(now)?.turning ?? false;
  const seenAt = snapshot.workerSeenAt;
  return {
    ops: dealerOperations(snapshot, services.dealer.id),
    worker: { seenAt, here, running: here || (seenAt !== null && now - seenAt.getTime() < WORKER_SEEN_WITHIN_MS) },
    channels: channelsOf(services.config.alerts),
  };
}

export interface AlertDeliveryView {
  channel: string;
  event: string;
  state: string;
  attempts: number;
  sentAt: Date | null;
  nextAttemptAt: Date;
  lastError: string | null;
}

export interface IncidentView {
  id: string;
  kind: string;
  title: string;
  subject: string;
  state: string;
  summary: string;
  count: number;
  firstSeenAt: Date;
  openedAt: Date | null;
  resolvedAt: Date | null;
  reminders: number;
  action: string;
  consolePath: string;
  deliveries: AlertDeliveryView[];
}

const RECENT = 50;

/** The dealer's open and pending incidents, then its most recent resolved ones, each with its messages. */
export async function alertsView(services: Pick<Services, "db">): Promise<{ live: IncidentView[]; recent: IncidentView[] }> {
  const { db } = services;
  const [live, recent] = await Promise.all([
    db.alertIncident.findMany({ where: { state: { in: ["open", "pending"] } }, orderBy: { firstSeenAt: "desc" }, take: 200, include: { deliveries: { orderBy: { createdAt: "asc" } } } }),
    db.alertIncident.findMany({ where: { state: "resolved" }, orderBy: { resolvedAt: "desc" }, take: RECENT, include: { deliveries: { orderBy: { createdAt: "asc" } } } }),
  ]);
  const view = (i: (typeof live)[number]): IncidentView => {
    const text = isAlertKind(i.kind) ? KINDS[i.kind] : null;
    return {
      id: i.id,
      kind: i.kind,
      title: text ? text.title(i.count, i.subject) : i.kind,
      subject: i.subject,
      state: i.state,
      summary: i.summary,
      count: i.count,
      firstSeenAt: i.firstSeenAt,
      openedAt: i.openedAt,
      resolvedAt: i.resolvedAt,
      reminders: i.reminders,
      action: text?.action ?? "",
      consolePath: text?.consolePath ?? "/admin",
      deliveries: i.deliveries.map((d) => ({
        channel: d.channel,
        event: d.event,
        state: d.state,
        attempts: d.attempts,
        sentAt: d.sentAt,
        nextAttemptAt: d.nextAttemptAt,
        lastError: d.lastError,
      })),
    };
  };
  return { live: live.map(view), recent: recent.map(view) };
}

/** Open incidents of the dealer (the navigation's count). */
export async function openAlertCount(services: Pick<Services, "db">): Promise<number> {
  return services.db.alertIncident.count({ where: { state: "open" } });
}
