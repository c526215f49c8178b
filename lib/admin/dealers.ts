// The operator's dealer actions (multi-dealer hosting), shared by `npm run dealers` and the console: add a dealer,
// run its setup checks (a dealer goes live only when they pass; a live one fails definitely and is taken out of
// service), suspend and resume it; and the worker's periodic pass over the live dealers. Each is audited under the
// dealer it concerns.
import type { Services } from "../server/services";
import { getServices, servicesForDealerRow, uncachedServicesForDealerRow } from "../server/services";
import type { Db } from "../db/client";
import { createDealerTasks, nextDueAt, scheduleDealerTask, type DealerTaskDefinition } from "../payments/worker/dealer-tasks";
import {
  DealerInputError,
  addDealer,
  changeDealerStatus,
  findDealer,
  rememberLearnedFacts,
  setDealerStatus,
  updateDealerValues,
  type DealerRow,
} from "../dealers/directory";
import { logger } from "../logging/logger";
import { scheduleNightlyReconciliation } from "../reconciliation/nightly";
import { audit, type Actor } from "./audit";
import { readStripeAccountId, runSetupChecks, stripeAccountCheck, stripeKeyCheck, webhookUrl, type SetupCheck } from "./setup";

/**
 * The checks whose failure keeps a dealer from going live: without them money would be taken and not credited, or
 * (stripe-account: another dealer, the environment's own included, on the same Stripe account) each dealer would
 * get the other's Stripe events.
 */
export const GO_LIVE_CHECKS: ReadonlySet<string> = new Set([
  "navixy-login",
  "navixy-currency",
  "navixy-transactions",
  "navixy-refill",
  "stripe-key",
  "stripe-account",
  "webhook-secret",
]);

export interface DealerCheckReport {
  dealer: DealerRow;
  checks: SetupCheck[];
  /** Failed checks that keep it from going live. */
  blocking: SetupCheck[];
  webhookUrl: string;
  paymentSystemUrl: string;
}

function root(): Services {
  return getServices();
}

async function dealerOrThrow(slug: string): Promise<DealerRow> {
  const row = await findDealer(root().rootDb, slug);
  if (!row) throw new DealerInputError(`There is no dealer "${slug}"`);
  return row;
}

/** The services of the row as just read: a change made a moment ago is checked, not the services cached before it. */
function servicesOf(row: DealerRow): Services {
  return servicesForDealerRow(row);
}

/**
 * Runs a dealer's setup checks; one in "setup" whose checks pass goes live, a live one whose checks fail definitely
 * is taken out of service (definiteFailures). `stripeChanged`: its Stripe key or API was changed just now.
 */
export async function checkDealer(actor: Actor, slug: string, options: { stripeChanged?: boolean } = {}): Promise<DealerCheckReport> {
  let row = await dealerOrThrow(slug);
  const services = servicesOf(row);
  const checks = await runSetupChecks(services, { viewer: "operator" });
  const blocking = checks.filter((c) => c.state === "failed" && GO_LIVE_CHECKS.has(c.id));
  // Its Stripe account, for the other dealers' checks to compare with (read once per key: no second call here).
  const stripeAccountId = await readStripeAccountId(services).catch(() => null);
  if (stripeAccountId) row = await rememberLearnedFacts(root().rootDb, row, { stripeAccountId });
  if (row.status === "setup" && blocking.length === 0) {
    row = await setDealerStatus(root().rootDb, row.id, "active");
    await audit(root().rootDb, { ...actor, dealerId: row.id, action: "dealer.live", target: row.slug, before: { status: "setup" }, after: { status: "active" } });
    await scheduleDealerTask(root().rootDb, row.id, RECHECK, DEALER_RECHECK_INTERVAL_MS);
    await scheduleNightlyReconciliation(root().rootDb, row.id);
  } else if (row.status === "active") {
    row = (await takeOutOfService(actor, row, definiteFailures(row, checks, options.stripeChanged ?? false))) ?? row;
  }
  return { dealer: row, checks, blocking, webhookUrl: webhookUrl(services), paymentSystemUrl: `${services.config.publicUrl}/?id={id}` };
}

/**
 * The failures that take a live dealer out of service: Stripe refuses its key, or its Stripe account is another
 * dealer's that is in service (live or suspended; the environment's own always). Never a transient failure (Stripe
 * or Navixy unreachable, 5xx), and never a dealer in setup on its account: that one stays out, this one stays live.
 * Of two live dealers on one account the one added later goes, whichever process or command looks first; unless
 * `stripeChanged`: the dealer whose key was just changed to another's account is the one that goes.
 */
export function definiteFailures(row: Pick<DealerRow, "createdAt">, checks: readonly SetupCheck[], stripeChanged: boolean): SetupCheck[] {
  return checks.filter((c) => {
    if (c.state !== "failed" || !GO_LIVE_CHECKS.has(c.id)) return false;
    if (c.id !== "stripe-account") return c.definite === true;
    return (c.sharedWith ?? []).some((o) => o.isDefault || (o.status !== "setup" && (stripeChanged || o.createdAt < row.createdAt)));
  });
}

/** Back to "setup" (its page takes no new payment; its webhook and worker lane go on), audited; null when nothing failed or it was no longer live. */
async function takeOutOfService(actor: Actor, row: DealerRow, failed: readonly SetupCheck[]): Promise<DealerRow | null> {
  if (failed.length === 0) return null;
  const { rootDb } = root();
  // Conditional: of two processes or commands looking at once, one takes it out and audits it.
  const changed = await changeDealerStatus(rootDb, row.id, "active", "setup");
  if (!changed) return null;
  // Under the dealer, whose own console shows its log: in the words the dealer may read.
  const after = { status: "setup", failed: failed.map((c) => ({ check: c.id, detail: c.dealerDetail ?? c.detail })) };
  await audit(rootDb, { ...actor, dealerId: row.id, action: "dealer.out_of_service", target: row.slug, before: { status: "active" }, after });
  logger.warn({ dealer: row.slug, failed: after.failed }, "dealer taken out of service: a check that guards its money failed");
  return changed;
}

/** How often each live hosted dealer is checked again: a slow pass, one Stripe call per dealer. */
export const DEALER_RECHECK_INTERVAL_MS = 60 * 60_000;
const RECHECK = "recheck";

const SYSTEM: Actor = { actor: "system", ip: null };

/**
 * A live hosted dealer checked again: Stripe still takes its key, and its Stripe account is still its own (compared
 * with every other dealer, the environment's own included). A definite failure takes it out of service; anything else
 * waits for the next check. Its services are built for this check only (uncachedServicesForDealerRow): checking every
 * live dealer does not fill the process's cache of dealers' services.
 */
export async function recheckDealer(actor: Actor, row: DealerRow): Promise<boolean> {
  const { services, release } = uncachedServicesForDealerRow(row);
  try {
    const checks = await Promise.all([stripeKeyCheck(services), stripeAccountCheck(services, "operator")]);
    return (await takeOutOfService(actor, row, definiteFailures(row, checks, false))) !== null;
  } finally {
    release();
  }
}

/** Every live hosted dealer checked again at once (tests and operators; the worker checks each at its own time). */
export async function recheckLiveDealers(actor: Actor = SYSTEM): Promise<{ checked: number; outOfService: number }> {
  const { rootDb } = root();
  const live = await rootDb.dealer.findMany({ where: { status: "active" }, orderBy: { createdAt: "asc" } });
  let outOfService = 0;
  for (const row of live) {
    try {
      if (await recheckDealer(actor, row)) outOfService++;
    } catch (error) {
      logger.error({ dealer: row.slug, err: error }, "could not check the dealer again");
    }
  }
  return { checked: live.length, outOfService };
}

/**
 * The worker's periodic check of each live hosted dealer, as a due row per dealer (DealerTask "recheck"): a dealer
 * is checked about every DEALER_RECHECK_INTERVAL_MS, spread over the hour, by one worker of the deployment.
 */
export const dealerRecheckTask: DealerTaskDefinition = {
  kind: RECHECK,
  intervalMs: DEALER_RECHECK_INTERVAL_MS,
  lookEveryMs: 60_000,
  async run(rootDb, dealerId) {
    const row = await rootDb.dealer.findUnique({ where: { id: dealerId } });
    if (!row || row.status !== "active") return "drop"; // scheduled again when it goes live again
    // Out of service now: its check is scheduled again when it goes live again.
    return (await recheckDealer(SYSTEM, row)) ? "drop" : "done";
  },
};

/**
 * Gives every live hosted dealer its periodic check (dealers that went live before checks were due rows): one query
 * when every live dealer has one. Run when the worker starts.
 */
export async function scheduleDealerRechecks(rootDb: Db, now = new Date()): Promise<number> {
  const missing = await rootDb.$queryRaw<{ id: string }[]>`
    SELECT d."id" FROM "Dealer" d
    WHERE d."status" = 'active' AND NOT EXISTS (SELECT 1 FROM "DealerTask" t WHERE t."dealerId" = d."id" AND t."kind" = ${RECHECK})`;
  await createDealerTasks(
    rootDb,
    missing.map(({ id }) => ({ dealerId: id, kind: RECHECK, dueAt: nextDueAt(id, now, DEALER_RECHECK_INTERVAL_MS) })),
  );
  return missing.length;
}

/** Adds a dealer (in "setup"), then runs its checks: it goes live at once if they pass. */
export async function addDealerChecked(
  actor: Actor,
  input: { slug: string; name: string; values: Record<string, string> },
): Promise<DealerCheckReport> {
  const { config, rootDb } = root();
  const row = await addDealer(rootDb, config, process.env, input);
  // Only the variables' names: the values may be secrets.
  await audit(rootDb, { ...actor, dealerId: row.id, action: "dealer.add", target: row.slug, after: { name: row.name, variables: Object.keys(input.values).sort() } });
  return checkDealer(actor, row.slug);
}

/**
 * Changes a dealer's variables; it is checked again: a live dealer stays live with a failed check shown, unless the
 * check fails definitely (checkDealer).
 */
export async function changeDealer(actor: Actor, slug: string, changes: Record<string, string>): Promise<DealerCheckReport> {
  const { config, rootDb } = root();
  const row = await updateDealerValues(rootDb, config, process.env, await dealerOrThrow(slug), changes);
  await audit(rootDb, { ...actor, dealerId: row.id, action: "dealer.change", target: row.slug, after: { variables: Object.keys(changes).sort() } });
  return checkDealer(actor, row.slug, { stripeChanged: "STRIPE_SECRET_KEY" in changes || "STRIPE_API_URL" in changes });
}

/** Stops taking payments for a dealer; what it already took is still credited (its webhook and worker run on). */
export async function suspendDealer(actor: Actor, slug: string, comment: string | null = null): Promise<DealerRow> {
  const before = await dealerOrThrow(slug);
  const row = await setDealerStatus(root().rootDb, before.id, "suspended");
  await audit(root().rootDb, { ...actor, dealerId: row.id, action: "dealer.suspend", target: row.slug, before: { status: before.status }, after: { status: "suspended" }, comment });
  return row;
}

/** Takes a suspended dealer back: into "setup", and live again once its checks pass. */
export async function resumeDealer(actor: Actor, slug: string): Promise<DealerCheckReport> {
  const before = await dealerOrThrow(slug);
  if (before.status !== "suspended") throw new DealerInputError(`Dealer "${slug}" is not suspended (it is ${before.status})`);
  await setDealerStatus(root().rootDb, before.id, "setup");
  await audit(root().rootDb, { ...actor, dealerId: before.id, action: "dealer.resume", target: before.slug, before: { status: "suspended" }, after: { status: "setup" } });
  return checkDealer(actor, slug);
}
