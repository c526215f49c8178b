// The audit log: every console action, login and logout, with before/after as JSON.
import type { Db, Tx } from "../db/client";

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  comment?: string | null;
  ip?: string | null;
  /** The dealer acted on; by default the one the database is scoped to (lib/db/dealer-scope.ts). */
  dealerId?: string;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function audit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      before: json(entry.before),
      after: json(entry.after),
      comment: entry.comment ?? null,
      ip: entry.ip ?? null,
      ...(entry.dealerId ? { dealerId: entry.dealerId } : {}),
    },
  });
}

/** Who acts, from where: passed to every action. */
export interface Actor {
  actor: string;
  ip: string | null;
}
