// The words of an alert message: what happened, which payments, what fixes it (a command and a console link), as an
// e-mail (subject and plain text) and as a webhook's JSON with a Slack-compatible `text`. The payments are read
// when the message is sent, so a reminder lists what is wrong then. Several incidents of one dealer due together
// make one message.
import type { Db } from "../db/client";
import { formatMoney } from "../money";
import { REFUND_FAILED_NOTE } from "../payments/refunds";
import { WEBHOOK_GRACE_MS } from "./conditions";
import type { AlertEvent } from "./incidents";
import { KINDS, commandFor, isAlertKind, type AlertKind } from "./kinds";

/** Payments or movements named in one message, at most (the rest are counted). */
const ITEMS_SHOWN = 10;
const OWED = ["pending", "unknown", "sending"];

export interface IncidentForMessage {
  id: string;
  dealerId: string;
  kind: string;
  subject: string;
  state: string;
  summary: string;
  count: number;
  firstSeenAt: Date;
  openedAt: Date | null;
  resolvedAt: Date | null;
}

export interface DealerForMessage {
  id: string;
  slug: string;
  name: string;
  isDefault: boolean;
}

export interface AlertEntry {
  incidentId: string;
  event: AlertEvent;
  kind: string;
  subject: string;
  title: string;
  summary: string;
  count: number;
  since: string;
  openedAt: string | null;
  resolvedAt: string | null;
  payments: string[];
  more: number;
  action: string;
  command: string;
  consoleUrl: string;
}

export interface AlertMessage {
  subject: string;
  text: string;
  json: { text: string; dealer: { id: string; slug: string; name: string }; alerts: AlertEntry[] };
}

const time = (d: Date) => d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");

interface Items {
  lines: string[];
  total: number;
}

/** The payments an incident concerns now, one line each (the dealer's own rows only). */
export async function incidentItems(
  db: Db,
  incident: Pick<IncidentForMessage, "dealerId" | "kind">,
  dealer: Pick<DealerForMessage, "slug" | "isDefault">,
  now = new Date(),
): Promise<Items> {
  const dealerId = incident.dealerId;
  const payments = `npm run payments -- ${dealer.isDefault ? "" : `--dealer ${dealer.slug} `}`;
  // The command that settles each one, where there is one.
  const fix = (m: { id: string; state: string }) =>
    incident.kind === "refund_failed"
      ? `; when handled: ${payments}resolve ${m.id} ${m.state} <what was done>`
      : incident.kind === "credit_attention" || incident.kind === "debit_attention"
        ? `; once fixed: ${payments}retry ${m.id}`
        : "";
  const movementLines = async (where: Record<string, unknown>) => {
    const [rows, total] = await Promise.all([
      db.balanceMovement.findMany({ where: { dealerId, ...where }, orderBy: { createdAt: "asc" }, take: ITEMS_SHOWN }),
      db.balanceMovement.count({ where: { dealerId, ...where } }),
    ]);
    return {
      total,
      lines: rows.map(
        (m) =>
          `${m.paymentId}: ${m.kind} of ${formatMoney(m.amount, m.currency)} for Navixy user ${m.navixyUserId}, ${m.state} since ${time(m.createdAt)}` +
          `${m.lastError ? ` (${m.lastError.slice(0, 160)})` : ""}; movement ${m.id}${fix(m)}`,
      ),
    };
  };
  switch (incident.kind as AlertKind) {
    case "credit_attention":
      return movementLines({ kind: "credit", needsAttention: true, state: { notIn: ["applied", "canceled"] } });
    case "debit_attention":
      return movementLines({ kind: "debit", needsAttention: true, state: { notIn: ["applied", "canceled"] } });
    case "refund_failed":
      return movementLines({ kind: "debit", needsAttention: true, state: { in: ["applied", "canceled"] }, lastError: { startsWith: REFUND_FAILED_NOTE } });
    case "credits_waiting":
      return movementLines({ kind: "credit", state: { in: OWED }, needsAttention: false });
    case "no_webhooks":
    case "authorization_expiring": {
      const where =
        incident.kind === "no_webhooks"
          ? { dealerId, createdAt: { lt: new Date(now.getTime() - WEBHOOK_GRACE_MS) }, stripePaymentIntentId: { not: null }, status: { notIn: ["created", "awaiting_payment", "canceled", "abandoned"] }, events: { none: {} } }
          : { dealerId, status: "authorized", authorizedAt: { lt: new Date(now.getTime() - 6 * 86_400_000) } };
      const [rows, total] = await Promise.all([
        db.payment.findMany({ where, orderBy: { createdAt: "desc" }, take: ITEMS_SHOWN }),
        db.payment.count({ where }),
      ]);
      return {
        total,
        lines: rows.map(
          (p) =>
            `${p.id} (${p.stripePaymentIntentId ?? "no PaymentIntent"}): ${formatMoney(p.amount, p.currency)} for Navixy user ${p.navixyUserId}, ${p.status}` +
            (incident.kind === "authorization_expiring" && p.authorizedAt ? `, authorized ${time(p.authorizedAt)}` : `, created ${time(p.createdAt)}`),
        ),
      };
    }
    default:
      return { lines: [], total: 0 };
  }
}

const EVENT_WORDS: Record<AlertEvent, string> = { opened: "", reminder: "Still: ", worse: "Worse: ", resolved: "Resolved: " };

export function alertEntry(
  incident: IncidentForMessage,
  event: AlertEvent,
  dealer: DealerForMessage,
  items: Items,
  siteUrl: string,
): AlertEntry {
  const kind = (isAlertKind(incident.kind) ? incident.kind : "credit_attention") as AlertKind;
  const text = KINDS[kind];
  return {
    incidentId: incident.id,
    event,
    kind: incident.kind,
    subject: incident.subject,
    title: `${EVENT_WORDS[event]}${text.title(incident.count, incident.subject)}`,
    summary: incident.summary,
    count: incident.count,
    since: time(incident.firstSeenAt),
    openedAt: incident.openedAt ? time(incident.openedAt) : null,
    resolvedAt: incident.resolvedAt ? time(incident.resolvedAt) : null,
    payments: event === "resolved" ? [] : items.lines,
    more: event === "resolved" ? 0 : Math.max(0, items.total - items.lines.length),
    action: text.action,
    command: commandFor(kind, dealer, incident.subject),
    consoleUrl: `${siteUrl}${text.consolePath}`,
  };
}

/** One message for a dealer's entries due on one channel together. */
export function composeMessage(dealer: DealerForMessage, entries: AlertEntry[]): AlertMessage {
  const who = dealer.isDefault ? dealer.name || "Navixy payment gateway" : `${dealer.name || dealer.slug} (${dealer.slug})`;
  const subject = entries.length === 1 ? `[${who}] ${entries[0]!.title}` : `[${who}] ${entries.length} alerts: ${entries.map((e) => e.title).join("; ")}`.slice(0, 250);
  const blocks = entries.map((e) => {
    const lines = [e.title, ""];
    if (e.event === "resolved") lines.push(`Cleared at ${e.resolvedAt ?? "now"} (it began ${e.since}).`);
    else {
      lines.push(`Since ${e.since}: ${e.summary}`);
      if (e.payments.length > 0) {
        lines.push("", "Payments:", ...e.payments.map((p) => `  - ${p}`));
        if (e.more > 0) lines.push(`  ... and ${e.more} more`);
      }
      lines.push("", `What to do: ${e.action}`, `Command: ${e.command}`);
    }
    lines.push(`Console: ${e.consoleUrl}`, `Incident: ${e.incidentId}`);
    return lines.join("\n");
  });
  const text = `${blocks.join("\n\n----\n\n")}\n`;
  // Slack's mrkdwn: a bold headline per alert, the rest as it is.
  const slack = entries
    .map((e) => {
      const head = `*${who}: ${e.title}*`;
      if (e.event === "resolved") return `${head}\nCleared at ${e.resolvedAt ?? "now"}. <${e.consoleUrl}|Console>`;
      const payments = e.payments.slice(0, 5).map((p) => `• ${p}`);
      const hidden = Math.max(0, e.payments.length - 5) + e.more;
      if (hidden > 0) payments.push(`• ... and ${hidden} more`);
      return [head, e.summary, ...payments, `What to do: ${e.action}`, `\`${e.command}\``, `<${e.consoleUrl}|Console>`].join("\n");
    })
    .join("\n\n");
  return { subject, text, json: { text: slack, dealer: { id: dealer.id, slug: dealer.slug, name: dealer.name }, alerts: entries } };
}
