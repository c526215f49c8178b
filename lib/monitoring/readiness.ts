// GET /api/ready: whether this instance can do its job, for a load balancer or an orchestrator, each check named.
// The database answers; every migration in prisma/<provider>/migrations is applied (a deployment that skipped
// `npm run db:migrate` is not ready); and a worker runs: in this process with its loop turning, or on another
// instance whose heartbeat is recent. GET /api/health stays what it was: liveness (the process and its database).
// Neither fails because a dealer's Navixy or Stripe does: that is what the metrics and the alerts are for, and
// taking every instance out of a load balancer would not credit anything sooner.
import fs from "node:fs";
import path from "node:path";
import { json } from "../http/responses";
import type { Services } from "../server/services";
import { WORKER_SEEN_WITHIN_MS, localWorker } from "./heartbeat";

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; worker: ReadinessCheck };
}

const migrationFiles = new Map<string, string[] | null>();

/** The migrations this build ships for the provider (read once per process); null when they are not on disk. */
function shippedMigrations(provider: string): string[] | null {
  if (!migrationFiles.has(provider)) {
    try {
      const dir = path.join(process.cwd(), "prisma", provider, "migrations");
      const names = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "migration.sql")))
        .map((e) => e.name)
        .sort();
      migrationFiles.set(provider, names);
    } catch {
      migrationFiles.set(provider, null);
    }
  }
  return migrationFiles.get(provider)!;
}

async function migrationsCheck(services: Pick<Services, "rootDb" | "dbTarget">): Promise<ReadinessCheck> {
  const rows = await services.rootDb.$queryRawUnsafe<{ migration_name: string; finished_at: unknown; rolled_back_at: unknown }[]>(
    "SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations",
  );
  const applied = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name);
  if (failed.length > 0) return { ok: false, detail: `migration failed or unfinished: ${failed.join(", ")} (see npx prisma migrate status)` };
  const shipped = shippedMigrations(services.dbTarget.provider);
  if (shipped === null) return { ok: true, detail: `${applied.size} applied (this build's migration files are not on disk to compare)` };
  const pending = shipped.filter((name) => !applied.has(name));
  if (pending.length > 0) return { ok: false, detail: `${pending.length} not applied: ${pending.join(", ")} (run npm run db:migrate)` };
  return { ok: true, detail: `all ${shipped.length} applied` };
}

async function workerCheck(services: Pick<Services, "rootDb">, now: number): Promise<ReadinessCheck> {
  const local = localWorker(now);
  if (local?.turning) return { ok: true, detail: `running in this process (${local.id})` };
  const seen = await services.rootDb.workerHeartbeat.findFirst({
    where: { seenAt: { gte: new Date(now - WORKER_SEEN_WITHIN_MS) } },
    orderBy: { seenAt: "desc" },
    select: { workerId: true, host: true, seenAt: true },
  });
  if (seen) {
    const ago = Math.max(0, Math.round((now - seen.seenAt.getTime()) / 1000));
    return { ok: true, detail: `${seen.workerId} on ${seen.host} seen ${ago} s ago${local ? `; this process's worker has not finished a pass since ${new Date(local.lastPassAt).toISOString()}` : ""}` };
  }
  return {
    ok: false,
    detail: local
      ? `this process's worker has not finished a pass since ${new Date(local.lastPassAt).toISOString()}, and no other worker was seen in ${WORKER_SEEN_WITHIN_MS / 1000} s`
      : `no worker seen in ${WORKER_SEEN_WITHIN_MS / 1000} s (WORKER_IN_SERVER=false here: is npm run worker running?)`,
  };
}

export async function checkReadiness(services: Pick<Services, "rootDb" | "dbTarget">, now = Date.now()): Promise<Readiness> {
  const fail = (error: unknown): ReadinessCheck => ({ ok: false, detail: error instanceof Error ? error.message.split("\n")[0]!.slice(0, 200) : String(error) });
  let database: ReadinessCheck;
  try {
    await services.rootDb.$queryRawUnsafe("SELECT 1");
    database = { ok: true, detail: `${services.dbTarget.provider} answers` };
  } catch (error) {
    const unreachable = { ok: false, detail: `${services.dbTarget.provider} unreachable` };
    return { ready: false, checks: { database: { ...fail(error), ...unreachable }, migrations: { ok: false, detail: "not checked: no database" }, worker: { ok: false, detail: "not checked: no database" } } };
  }
  const [migrations, worker] = await Promise.all([migrationsCheck(services).catch(fail), workerCheck(services, now).catch(fail)]);
  return { ready: database.ok && migrations.ok && worker.ok, checks: { database, migrations, worker } };
}

/** GET /api/ready: 200 when every check passes, 503 otherwise; the body names each check. */
export async function readinessResponse(services: Pick<Services, "rootDb" | "dbTarget">): Promise<Response> {
  const readiness = await checkReadiness(services);
  return json({ status: readiness.ready ? "ready" : "not_ready", checks: readiness.checks }, readiness.ready ? 200 : 503);
}
