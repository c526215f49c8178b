// The console's audit log screen: newest first, keyset pagination on the autoincrement id (each page is one
// primary-key range scan), filtered by action, actor or target (a payment, movement or rule id).
import type { Prisma } from "../db/client";
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
  if (filters.actor) where.actor = filters.actor;
  if (filters.target) where.target = filters.target;
  if (page.cursor !== null) where.id = { lt: page.cursor };
  const found = await services.db.auditLog.findMany({ where, orderBy: { id: "desc" }, take: page.limit + 1 });
  const rows = found.slice(0, page.limit).map((e) => ({
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    comment: e.comment,
    ip: e.ip,
    changes: auditChanges(e.before, e.after),
  }));
  return { rows, next: found.length > page.limit ? String(rows[rows.length - 1]!.id) : null };
}
