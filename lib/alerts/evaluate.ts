// One evaluation of the deployment's alerts: what is wrong now (conditions.ts) against the live incidents, and each
// decision (incidents.ts) written with a conditional update on the incident's version, in one transaction with the
// deliveries it owes (one per channel the dealer has). A new incident is inserted under its unique openKey. So
// however many workers evaluate at once (they should not: the evaluation is one due row, claimed by one), each
// incident opens, reminds and resolves once, and each of those is owed to each channel once.
import type { Config } from "../config";
import { isUniqueViolation, transaction, type Db, type Tx } from "../db/client";
import { newId } from "../ids";
import { logger } from "../logging/logger";
import { audit } from "../admin/audit";
import { servicesForDealer } from "../server/services";
import { wakeWorkers } from "../server/wake";
import { readConditions, type DealerCondition } from "./conditions";
import { WORSE_AFTER_MS, decide, nextReminder, type AlertEvent, type IncidentRules, type LiveIncident } from "./incidents";
import { KINDS, isAlertKind, type AlertKind } from "./kinds";

export type AlertChannel = "email" | "webhook";

/** The channels a dealer's alerts go to, from its settings (ALERT_EMAIL_TO, ALERT_WEBHOOK_URL). */
export function channelsOf(alerts: Config["alerts"]): AlertChannel[] {
  const out: AlertChannel[] = [];
  if (alerts.email) out.push("email");
  if (alerts.webhookUrl) out.push("webhook");
  return out;
}

export const openKeyOf = (dealerId: string, kind: string, subject: string) => `${dealerId}|${kind}|${subject}`;

/** The queue's item for one dealer's deliveries on one channel (lib/alerts/deliveries.ts). */
export const deliveryLane = (dealerId: string) => `alert:${dealerId}`;

export function rulesFor(kind: AlertKind, alerts: Config["alerts"]): IncidentRules {
  return { waitMs: KINDS[kind].waits ? alerts.failingForMs : 0, remindAfterMs: alerts.remindAfterMs, worseAfterMs: WORSE_AFTER_MS };
}

export interface EvaluationResult {
  opened: number;
  resolved: number;
  reminded: number;
  deliveries: number;
}

const SYSTEM = "system:alerts";
/** How long a resolved incident stays on the console. */
const KEEP_RESOLVED_MS = 90 * 86_400_000;

export async function evaluateAlerts(rootDb: Db, alerts: Config["alerts"], now = new Date()): Promise<EvaluationResult> {
  const [conditions, live] = await Promise.all([
    readConditions(rootDb, alerts, now),
    rootDb.alertIncident.findMany({ where: { state: { in: ["pending", "open"] } } }),
  ]);
  const byKey = new Map<string, DealerCondition>(conditions.map((c) => [openKeyOf(c.dealerId, c.kind, c.subject), c]));
  const liveByKey = new Map(live.filter((i) => i.openKey !== null).map((i) => [i.openKey!, i]));
  const result: EvaluationResult = { opened: 0, resolved: 0, reminded: 0, deliveries: 0 };
  const channelCache = new Map<string, AlertChannel[]>();
  const channels = async (dealerId: string): Promise<AlertChannel[]> => {
    let found = channelCache.get(dealerId);
    if (!found) {
      const services = await servicesForDealer(dealerId).catch((error: unknown) => {
        logger.warn({ dealerId, err: error }, "alerts: the dealer's settings could not be read; its incidents are recorded, not sent");
        return null;
      });
      found = services ? channelsOf(services.config.alerts) : [];
      channelCache.set(dealerId, found);
    }
    return found;
  };
  const woken = new Set<string>();
  const owe = async (tx: Tx, incident: { id: string; dealerId: string }, event: AlertEvent, lanes: AlertChannel[]) => {
    if (lanes.length === 0) return;
    await tx.alertDelivery.createMany({
      data: lanes.map((channel) => ({ id: newId("ald", now.getTime()), dealerId: incident.dealerId, incidentId: incident.id, channel, event, nextAttemptAt: now })),
    });
    result.deliveries += lanes.length;
    for (const channel of lanes) woken.add(`${incident.dealerId}\t${channel}`);
  };

  for (const key of new Set([...byKey.keys(), ...liveByKey.keys()])) {
    const condition = byKey.get(key);
    const incident = liveByKey.get(key);
    const kind = (condition?.kind ?? incident?.kind) as string;
    if (!isAlertKind(kind)) continue;
    const rules = rulesFor(kind, alerts);
    const current: LiveIncident | undefined = incident
      ? {
          state: incident.state === "open" ? "open" : "pending",
          firstSeenAt: incident.firstSeenAt,
          openedAt: incident.openedAt,
          count: incident.count,
          notifiedCount: incident.notifiedCount,
          notifiedAt: incident.notifiedAt,
          remindAt: incident.remindAt,
          summary: incident.summary,
        }
      : undefined;
    const decision = decide(current, condition, now, rules);
    try {
      switch (decision.action) {
        case "none":
          break;
        case "create": {
          const c = condition!;
          const open = decision.state === "open";
          const lanes = open ? await channels(c.dealerId) : [];
          await transaction(rootDb, async (tx) => {
            const row = await tx.alertIncident.create({
              data: {
                id: newId("inc", now.getTime()),
                dealerId: c.dealerId,
                kind: c.kind,
                subject: c.subject,
                openKey: key,
                state: decision.state,
                firstSeenAt: c.since && c.since < now ? c.since : now,
                openedAt: open ? now : null,
                lastSeenAt: now,
                summary: c.summary.slice(0, 500),
                detail: JSON.stringify({ since: c.since }),
                count: c.count,
                notifiedCount: open ? c.count : 0,
                notifiedAt: open ? now : null,
                remindAt: open ? nextReminder(now, rules) : null,
              },
            });
            if (open) {
              await owe(tx, row, "opened", lanes);
              await audit(tx, { actor: SYSTEM, action: "alert.opened", dealerId: c.dealerId, target: row.id, after: { kind: c.kind, subject: c.subject, summary: c.summary, channels: lanes } });
            }
          });
          if (open) result.opened++;
          break;
        }
        case "open": {
          const c = condition!;
          const lanes = await channels(incident!.dealerId);
          const opened = await transaction(rootDb, async (tx) => {
            const { count } = await tx.alertIncident.updateMany({
              where: { id: incident!.id, version: incident!.version, state: "pending" },
              data: { state: "open", openedAt: now, lastSeenAt: now, count: c.count, summary: c.summary.slice(0, 500), notifiedCount: c.count, notifiedAt: now, remindAt: nextReminder(now, rules), version: { increment: 1 } },
            });
            if (count === 0) return false;
            await owe(tx, incident!, "opened", lanes);
            await audit(tx, { actor: SYSTEM, action: "alert.opened", dealerId: incident!.dealerId, target: incident!.id, after: { kind, subject: incident!.subject, summary: c.summary, channels: lanes } });
            return true;
          });
          if (opened) result.opened++;
          break;
        }
        case "notify": {
          const c = condition!;
          const lanes = await channels(incident!.dealerId);
          const told = await transaction(rootDb, async (tx) => {
            const { count } = await tx.alertIncident.updateMany({
              where: { id: incident!.id, version: incident!.version, state: "open" },
              data: {
                lastSeenAt: now,
                count: c.count,
                summary: c.summary.slice(0, 500),
                notifiedCount: c.count,
                notifiedAt: now,
                remindAt: nextReminder(now, rules),
                ...(decision.event === "reminder" ? { reminders: { increment: 1 } } : {}),
                version: { increment: 1 },
              },
            });
            if (count === 0) return false;
            await owe(tx, incident!, decision.event, lanes);
            return true;
          });
          if (told) result.reminded++;
          break;
        }
        case "touch":
          await rootDb.alertIncident.updateMany({
            where: { id: incident!.id, version: incident!.version },
            data: { lastSeenAt: now, count: condition!.count, summary: condition!.summary.slice(0, 500), version: { increment: 1 } },
          });
          break;
        case "drop":
          await rootDb.alertIncident.deleteMany({ where: { id: incident!.id, version: incident!.version, state: "pending" } });
          break;
        case "resolve": {
          const lanes = await channels(incident!.dealerId);
          const resolved = await transaction(rootDb, async (tx) => {
            const { count } = await tx.alertIncident.updateMany({
              where: { id: incident!.id, version: incident!.version, state: "open" },
              data: { state: "resolved", openKey: null, resolvedAt: now, remindAt: null, version: { increment: 1 } },
            });
            if (count === 0) return false;
            await owe(tx, incident!, "resolved", lanes);
            await audit(tx, { actor: SYSTEM, action: "alert.resolved", dealerId: incident!.dealerId, target: incident!.id, after: { kind, subject: incident!.subject, channels: lanes } });
            return true;
          });
          if (resolved) result.resolved++;
          break;
        }
      }
    } catch (error) {
      // Another evaluation inserted this incident meanwhile: it is that one's.
      if (!isUniqueViolation(error)) logger.error({ key, err: error }, "alerts: could not record an incident");
    }
  }
  // Now and then, incidents resolved long ago go (their messages with them); the audit log keeps their story.
  if (Math.random() < 0.01) await rootDb.alertIncident.deleteMany({ where: { state: "resolved", resolvedAt: { lt: new Date(now.getTime() - KEEP_RESOLVED_MS) } } });
  // The deliveries are due now: this process's worker (or another instance's) takes them without waiting for a look.
  for (const lane of woken) {
    const [dealerId, channel] = lane.split("\t") as [string, string];
    wakeWorkers({ queue: "alert", dealerId: deliveryLane(dealerId), id: `${channel}|${dealerId}` });
  }
  return result;
}
