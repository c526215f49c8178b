// The operator's dealer actions (multi-dealer hosting), shared by `npm run dealers` and the console: add a dealer,
// run its setup checks (a dealer goes live only when they pass), suspend and resume it. Each is audited under the
// dealer it concerns.
import type { Services } from "../server/services";
import { getServices, servicesForDealerRow } from "../server/services";
import {
  DealerInputError,
  addDealer,
  findDealer,
  rememberLearnedFacts,
  setDealerStatus,
  updateDealerValues,
  type DealerRow,
} from "../dealers/directory";
import { audit, type Actor } from "./audit";
import { readStripeAccountId, runSetupChecks, webhookUrl, type SetupCheck } from "./setup";

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

/** Runs a dealer's setup checks; one in "setup" whose checks pass goes live. */
export async function checkDealer(actor: Actor, slug: string): Promise<DealerCheckReport> {
  let row = await dealerOrThrow(slug);
  const services = servicesOf(row);
  const checks = await runSetupChecks(services);
  const blocking = checks.filter((c) => c.state === "failed" && GO_LIVE_CHECKS.has(c.id));
  // Its Stripe account, for the other dealers' checks to compare with (read once per key: no second call here).
  const stripeAccountId = await readStripeAccountId(services).catch(() => null);
  if (stripeAccountId) row = await rememberLearnedFacts(root().rootDb, row, { stripeAccountId });
  if (row.status === "setup" && blocking.length === 0) {
    row = await setDealerStatus(root().rootDb, row.id, "active");
    await audit(root().rootDb, { ...actor, dealerId: row.id, action: "dealer.live", target: row.slug, before: { status: "setup" }, after: { status: "active" } });
  }
  return { dealer: row, checks, blocking, webhookUrl: webhookUrl(services), paymentSystemUrl: `${services.config.publicUrl}/?id={id}` };
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

/** Changes a dealer's variables; a live dealer is checked again (and stays live: a failed check is shown). */
export async function changeDealer(actor: Actor, slug: string, changes: Record<string, string>): Promise<DealerCheckReport> {
  const { config, rootDb } = root();
  const row = await updateDealerValues(rootDb, config, process.env, await dealerOrThrow(slug), changes);
  await audit(rootDb, { ...actor, dealerId: row.id, action: "dealer.change", target: row.slug, after: { variables: Object.keys(changes).sort() } });
  return checkDealer(actor, row.slug);
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
