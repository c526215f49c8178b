// The console's audit log screen: newest first, keyset pagination on the autoincrement id (each page is one
// primary-key range scan), filtered by action, actor or target (a payment, movement or rule id). Entries are shown
// as people read them (money as money, the operator or dealer acme, this server), the stored values a click away.
import type { Prisma } from "../db/client";
import { formatMoney, isSupportedCurrency } from "../money";
import type { Services } from "../server/services";

export interface AuditFilters {
  /** Exact action ("payment.capture") or a family ending in a dot ("payment."). */
  action?: string;
  actor?: string;
  /** payment, movement or rule id */
  target?: string;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  comment: string | null;
  ip: string | null;
  changes: AuditChange[];
  /** The same entry in words (the raw values above stay for the "stored values" disclosure). */
  readable: { who: string; where: string | null; what: string; changes: ReadableChange[] };
}

/** One field an action changed (or, for entries with only `after`, what it recorded). */
export interface AuditChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** The action families the filter offers. */
export const AUDIT_ACTION_FAMILIES = [
  { value: "payment.", text: "Payments (refund, capture, release)" },
  { value: "movement.", text: "Balance movements (retry, resolve)" },
  { value: "rule.", text: "Automatic top-up rules" },
  { value: "login", text: "Sign-ins" },
  { value: "payments.export", text: "CSV exports" },
  { value: "stripe.", text: "Stripe setup" },
  { value: "dealer.", text: "Dealer settings and status" },
  { value: "console.", text: "Console passwords and dealer switches" },
] as const;

const text = (v: string | string[] | undefined): string | undefined => {
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s.slice(0, 200) : undefined;
};

export function parseAuditFilters(params: Record<string, string | string[] | undefined>): AuditFilters {
  const filters: AuditFilters = {};
  const action = text(params.action);
  if (action) filters.action = action;
  const actor = text(params.actor);
  if (actor) filters.actor = actor;
  const target = text(params.target);
  if (target) filters.target = target;
  return filters;
}

export function auditFiltersToParams(filters: AuditFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (filters.action) out.set("action", filters.action);
  if (filters.actor) out.set("actor", filters.actor);
  if (filters.target) out.set("target", filters.target);
  return out;
}

function render(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? v : JSON.stringify(v);
}

function parseObject(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: json };
  }
}

/**
 * What an entry changed: the fields whose value differs between `before` and `after` (both JSON objects as
 * stored), in the order they first appear. Unchanged fields are left out; so is everything when nothing differs.
 */
export function auditChanges(beforeJson: string | null, afterJson: string | null): AuditChange[] {
  const before = parseObject(beforeJson);
  const after = parseObject(afterJson);
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changes: AuditChange[] = [];
  for (const field of fields) {
    const b = render(before?.[field]);
    const a = render(after?.[field]);
    if (b !== a) changes.push({ field, before: b, after: a });
  }
  return changes;
}

/** Cursor = the id of the last row shown; the next page holds the strictly older ids. */
export function parseAuditCursor(raw: string | null | undefined): number | null {
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

export async function listAuditLog(
  services: Services,
  filters: AuditFilters,
  page: { cursor: number | null; limit: number },
): Promise<{ rows: AuditRow[]; next: string | null }> {
  const where: Prisma.AuditLogWhereInput = {};
  if (filters.action) where.action = filters.action.endsWith(".") ? { startsWith: filters.action } : filters.action;
  if (filters.target) where.target = filters.target;
  if (page.cursor !== null) where.id = { lt: page.cursor };
  const found = await services.db.auditLog.findMany({ where: filters.actor ? { AND: [where, actorWhere(filters.actor)] } : where, orderBy: { id: "desc" }, take: page.limit + 1 });
  const rows = found.slice(0, page.limit).map((e) => ({
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    comment: e.comment,
    ip: e.ip,
    changes: auditChanges(e.before, e.after),
    readable: { who: actorText(e.actor), where: addressText(e.ip), what: actionText(e.action), changes: readableChanges(e.before, e.after) },
  }));
  return { rows, next: found.length > page.limit ? String(rows[rows.length - 1]!.id) : null };
}

// ---- in words ----------------------------------------------------------------------------------------------

/** One changed field in words: "Refunded: €0.00 → €30.50"; the stored values alongside. */
export interface ReadableChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
  rawBefore: string | null;
  rawAfter: string | null;
}

/** Fields that hold an amount in the minor units of the entry's `currency` (payments, captures, refunds, rules). */
const MONEY_FIELDS = new Set(["amount", "amountReceived", "amountCapturable", "amountRefunded", "refundAmount", "requested", "threshold", "monthlyLimit", "creditedAmount"]);

const FIELD_LABELS: Record<string, string> = {
  amountReceived: "Received",
  amountCapturable: "Authorized",
  amountRefunded: "Refunded",
  requested: "Capture asked for",
  state: "Status",
  status: "Status",
  appliedInNavixy: "Applied in Navixy",
  needsAttention: "Needs attention",
  lastErrorCode: "Navixy error code",
  monthlyLimit: "Monthly limit",
  dealerId: "Dealer",
  sessionId: "Session",
  expiresAt: "Until",
};

const words = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fieldLabel = (field: string) => FIELD_LABELS[field] ?? capitalized(words(field));

function readableValue(field: string, value: unknown, currency: string | null): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number" && MONEY_FIELDS.has(field) && currency && Number.isSafeInteger(value)) return formatMoney(value, currency);
  if (typeof value === "string") {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) return `${value.slice(0, 19).replace("T", " ")} UTC`;
    // A status or state: "partially_refunded" → "partially refunded".
    if ((field === "status" || field === "state") && /^[a-z_]+$/.test(value)) return value.replace(/_/g, " ");
    return value;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  return JSON.stringify(value);
}

/** The changed fields in words: money in the entry's currency (its before or after `currency`), yes/no, dates in UTC. */
export function readableChanges(beforeJson: string | null, afterJson: string | null): ReadableChange[] {
  const before = parseObject(beforeJson);
  const after = parseObject(afterJson);
  const code = after?.currency ?? before?.currency;
  const currency = typeof code === "string" && isSupportedCurrency(code) ? code : null;
  return auditChanges(beforeJson, afterJson).map((c) => ({
    field: c.field,
    label: fieldLabel(c.field),
    before: readableValue(c.field, before?.[c.field], currency),
    after: readableValue(c.field, after?.[c.field], currency),
    rawBefore: c.before,
    rawAfter: c.after,
  }));
}

/** Who, as a person reads it: "Operator", "Dealer acme", "Command line" (the session or tool stays in the raw value). */
export function actorText(actor: string): string {
  if (actor.startsWith("operator:") || actor.startsWith("admin:")) return "Operator";
  const dealer = /^dealer:([a-z0-9-]+):/.exec(actor);
  if (dealer) return `Dealer ${dealer[1]}`;
  switch (actor) {
    case "cli":
      return "Command line";
    case "system":
      return "The gateway";
    case "anonymous":
      return "Not signed in";
    default:
      return actor;
  }
}

/** From where: "this server" for a loopback address (a browser on the server itself, or a local proxy), an IPv4 address without its IPv6 wrapping. */
export function addressText(ip: string | null): string | null {
  if (!ip) return null;
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1] ?? ip;
  if (v4 === "::1" || /^127\./.test(v4)) return "this server";
  return v4;
}

const ACTION_TEXT: Record<string, string> = {
  login: "Signed in",
  "login.failed": "Sign-in refused",
  "login.rate_limited": "Sign-ins limited",
  logout: "Signed out",
  "payment.refund": "Refund",
  "payment.capture": "Capture",
  "payment.cancel": "Authorization released",
  "payments.export": "CSV export",
  "movement.retry": "Balance movement retried",
  "movement.resolve": "Balance movement resolved by hand",
  "rule.pause": "Automatic top-up paused",
  "rule.resume": "Automatic top-up resumed",
  "rule.disable": "Automatic top-up turned off",
  "stripe.webhook_endpoint.create": "Webhook endpoint created",
  "stripe.payment_method_domain.register": "Wallet domain registered",
  "dealer.add": "Dealer added",
  "dealer.change": "Dealer settings changed",
  "dealer.live": "Dealer live",
  "dealer.out_of_service": "Dealer taken out of service",
  "dealer.suspend": "Dealer suspended",
  "dealer.resume": "Dealer resumed",
  "console.switch_dealer": "Switched dealer",
  "console.password_changed": "Console password changed",
  "console.dealer_password": "Dealer's console password set",
  "console.dealer_login_removed": "Dealer's console login removed",
};

export function actionText(action: string): string {
  return ACTION_TEXT[action] ?? action.replace(/[._]/g, " ");
}

/**
 * The actor filter, in the log's words or as stored: "operator" (any operator session), "dealer acme" or
 * "dealer:acme" (any session of that dealer), "command line" or "cli"; anything else exactly.
 */
export function actorWhere(text: string): Prisma.AuditLogWhereInput {
  const t = text.trim();
  if (/^operator$/i.test(t)) return { OR: [{ actor: { startsWith: "operator:" } }, { actor: { startsWith: "admin:" } }] };
  const dealer = /^dealer[: ]([a-z0-9-]+)$/i.exec(t);
  if (dealer) return { actor: { startsWith: `dealer:${dealer[1]!.toLowerCase()}:` } };
  if (/^(command line|cli)$/i.test(t)) return { actor: "cli" };
  if (/^the gateway$/i.test(t)) return { actor: "system" };
  return { actor: t };
}
