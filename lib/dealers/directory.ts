// The dealers a deployment serves besides the environment's own ("default"): stored in the Dealer table, their
// settings as the variables of lib/dealers/settings.ts, the secret ones sealed with SECRETS_KEY. This module
// reads and writes them; lib/server/services.ts turns one into the services its pages, webhook and worker use.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/client";
import type { Config } from "../config";
import { SecretOpenError, openSecret, parseSecretsKey, needsReseal, sealSecret, type SecretKeyring } from "./secret-box";
import { DEALER_VARIABLES, SECRET_VARIABLES, dealerConfig, isDealerVariable, slugProblem } from "./settings";
import { registerLogSecrets, releaseLogSecrets } from "../logging/logger";

export type DealerStatus = "setup" | "active" | "suspended";

/** Who a dealer is, as every part of the app names it. */
export interface DealerRef {
  id: string;
  slug: string;
  name: string;
  status: DealerStatus;
  /** The environment's own dealer (the single-dealer setup; its paths have no /d/<slug>). */
  isDefault: boolean;
}

export const DEFAULT_DEALER: DealerRef = { id: "default", slug: "default", name: "", status: "active", isDefault: true };

export interface DealerRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  settings: string;
  secrets: string;
  consolePasswordHash: string | null;
  updatedAt: Date;
  createdAt: Date;
  suspendedAt: Date | null;
}

export class DealerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DealerInputError";
  }
}

export function dealerRef(row: Pick<DealerRow, "id" | "slug" | "name" | "status">): DealerRef {
  return { id: row.id, slug: row.slug, name: row.name, status: asStatus(row.status), isDefault: false };
}

function asStatus(s: string): DealerStatus {
  return s === "active" || s === "suspended" ? s : "setup";
}

/**
 * Under which name a dealer's opened secrets are registered with the logger: the services cache's entry for it
 * ("dealer:<id>", replaced at each opening, released when it leaves the cache), or one use of them (released after it).
 */
export function dealerSecretHolder(dealerId: string, use?: string): string {
  return use ? `dealer:${dealerId}:${use}` : `dealer:${dealerId}`;
}

/** Where a secret belongs, bound into its seal: a value copied to another dealer or variable does not open. */
export function secretContext(dealerId: string, variable: string): string {
  return `dealer:${dealerId}:${variable}`;
}

export function keyringOf(config: Pick<Config, "secretsKey">): SecretKeyring {
  if (!config.secretsKey) throw new DealerInputError(
      "SECRETS_KEY is not set: it is needed to store dealers' secrets. Set it to an id, a colon and 32 random bytes in base64, e.g. SECRETS_KEY=k1:$(openssl rand -base64 32), and restart.",
    );
  return parseSecretsKey(config.secretsKey);
}

function jsonObject(text: string): Record<string, string> {
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * What a dealer's checks learned about it, as opposed to what the operator set: kept in `settings` beside its
 * variables, under a key that is no variable (an object, which the variables' reading above skips). Changing
 * the dealer's variables drops it; its checks, run right after, learn it again.
 */
export interface LearnedFacts {
  /** The Stripe account its STRIPE_SECRET_KEY belongs to (GET /v1/account), compared with the other dealers'. */
  stripeAccountId?: string;
}

const LEARNED = "learned";

export function learnedFacts(row: Pick<DealerRow, "settings">): LearnedFacts {
  const value: unknown = JSON.parse(row.settings);
  const learned: unknown = value && typeof value === "object" ? (value as Record<string, unknown>)[LEARNED] : undefined;
  if (!learned || typeof learned !== "object") return {};
  const id = (learned as Record<string, unknown>).stripeAccountId;
  return typeof id === "string" && id ? { stripeAccountId: id } : {};
}

/** Stores what a dealer's checks learned; nothing is written when it is already known (the row's version stays). */
export async function rememberLearnedFacts(db: Db, row: DealerRow, facts: LearnedFacts): Promise<DealerRow> {
  const current = learnedFacts(row);
  const next = { ...current, ...facts };
  if (JSON.stringify(next) === JSON.stringify(current)) return row;
  const settings = { ...(JSON.parse(row.settings) as Record<string, unknown>), [LEARNED]: next };
  // Conditional on the row being as read: a change of its variables meanwhile is not overwritten.
  const { count } = await db.dealer.updateMany({ where: { id: row.id, updatedAt: row.updatedAt }, data: { settings: JSON.stringify(settings) } });
  return count ? ((await db.dealer.findUnique({ where: { id: row.id } })) ?? row) : row;
}

/**
 * A dealer's variables: its settings and its secrets, opened (but those named in `except`, about to be replaced). The
 * opened secrets are registered with the logger for `holder` (by default the services cache's entry of the dealer).
 */
export function dealerValues(
  row: Pick<DealerRow, "id" | "settings" | "secrets">,
  keyring: SecretKeyring,
  opts: { except?: ReadonlySet<string>; holder?: string } = {},
): Record<string, string> {
  const sealed = Object.entries(jsonObject(row.secrets)).filter(([name]) => !opts.except?.has(name));
  const opened = Object.fromEntries(sealed.map(([name, value]) => [name, openSecret(keyring, value, secretContext(row.id, name))]));
  // From now on in this process's memory: scrubbed from every log line by value, as the environment's are.
  registerLogSecrets(opts.holder ?? dealerSecretHolder(row.id), Object.values(opened));
  return { ...jsonObject(row.settings), ...opened };
}

/** What may be shown of a dealer's settings: the values, and only the names of its secrets. */
export function dealerSettingsView(row: Pick<DealerRow, "settings" | "secrets">): { settings: Record<string, string>; secrets: string[] } {
  return { settings: jsonObject(row.settings), secrets: Object.keys(jsonObject(row.secrets)).sort() };
}

function splitValues(dealerId: string, keyring: SecretKeyring, values: Record<string, string>) {
  const settings: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!isDealerVariable(name)) throw new DealerInputError(`${name} is not a dealer setting (one of ${DEALER_VARIABLES.join(", ")})`);
    if (SECRET_VARIABLES.has(name)) secrets[name] = sealSecret(keyring, value, secretContext(dealerId, name));
    else settings[name] = value;
  }
  return { settings, secrets };
}

export function newDealerId(): string {
  return `dlr_${randomBytes(10).toString("hex")}`;
}

/**
 * Stores a new dealer, in "setup" until its checks pass. Its variables are validated as a whole first (the message
 * names each bad or missing one), so a dealer that cannot work is never stored.
 */
export async function addDealer(
  db: Db,
  config: Config,
  env: Record<string, string | undefined>,
  input: { slug: string; name: string; values: Record<string, string> },
): Promise<DealerRow> {
  const problem = slugProblem(input.slug);
  if (problem) throw new DealerInputError(`Slug "${input.slug}": ${problem}`);
  const name = input.name.trim();
  if (!name || name.length > 80) throw new DealerInputError("A dealer's name is 1-80 characters");
  const keyring = keyringOf(config);
  dealerConfig(input.slug, env, input.values); // throws DealerSettingsError naming the variables
  const id = newDealerId();
  const { settings, secrets } = splitValues(id, keyring, input.values);
  try {
    return await db.dealer.create({
      data: { id, slug: input.slug, name, status: "setup", settings: JSON.stringify(settings), secrets: JSON.stringify(secrets) },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DealerInputError(`A dealer with the slug "${input.slug}" exists already`);
    throw error;
  }
}

/** Changes some of a dealer's variables (an empty value removes one); validated as a whole like addDealer. */
export async function updateDealerValues(
  db: Db,
  config: Config,
  env: Record<string, string | undefined>,
  row: DealerRow,
  changes: Record<string, string>,
): Promise<DealerRow> {
  const keyring = keyringOf(config);
  const holder = dealerSecretHolder(row.id, "update");
  try {
    // A secret being replaced is not opened: a value that no longer opens (its key dropped) can be entered again.
    const values = dealerValues(row, keyring, { except: new Set(Object.keys(changes)), holder });
    for (const [name, value] of Object.entries(changes)) {
      if (!isDealerVariable(name)) throw new DealerInputError(`${name} is not a dealer setting`);
      if (value === "") delete values[name];
      else values[name] = value;
    }
    dealerConfig(row.slug, env, values);
    const { settings, secrets } = splitValues(row.id, keyring, values);
    return await db.dealer.update({ where: { id: row.id }, data: { settings: JSON.stringify(settings), secrets: JSON.stringify(secrets) } });
  } finally {
    releaseLogSecrets(holder);
  }
}

export async function setDealerStatus(db: Db, id: string, status: DealerStatus): Promise<DealerRow> {
  return db.dealer.update({ where: { id }, data: { status, suspendedAt: status === "suspended" ? new Date() : null } });
}

/** Moves a dealer from one status to another only if it is still in the first: the row, or null when it was not. */
export async function changeDealerStatus(db: Db, id: string, from: DealerStatus, to: DealerStatus): Promise<DealerRow | null> {
  const { count } = await db.dealer.updateMany({ where: { id, status: from }, data: { status: to, suspendedAt: to === "suspended" ? new Date() : null } });
  return count ? db.dealer.findUnique({ where: { id } }) : null;
}

/** What a rotation left: a stored value that does not open with SECRETS_KEY's newest key alone. */
export interface ResealProblem {
  dealer: string;
  variable: string;
  problem: string;
}

export interface ResealReport {
  /** SECRETS_KEY's first key id, which every value should now be sealed with. */
  newestKey: string;
  /** Values this run wrote under the newest key: a write that matched nothing is not counted. */
  resealed: number;
  /** Read back after the run: every stored value not opening with the newest key. Empty = older keys may go. */
  remaining: ResealProblem[];
  /** How many stored values were checked. */
  checked: number;
}

const RESEAL_ATTEMPTS = 5;

/** Why `sealed` does not open with the newest key alone, or null when it does. */
function underNewestKey(keyring: SecretKeyring, sealed: string, context: string): string | null {
  try {
    openSecret(keyring, sealed, context);
  } catch (error) {
    // Its message says why (a key SECRETS_KEY no longer has, an altered value), without secret material.
    return error instanceof SecretOpenError ? error.message.replace(`${context}: `, "") : "does not open";
  }
  return needsReseal(keyring, sealed) ? `still sealed with the older key '${sealed.split(".")[1]}'` : null;
}

/**
 * Moves every dealer secret under SECRETS_KEY's newest key, then reads every stored value back and opens it with
 * that key. Each row is written only if it is still as read (a dealer changed meanwhile, e.g. by an instance still
 * sealing with an older key, is read again and retried, up to RESEAL_ATTEMPTS times); a value that does not open
 * at all is left as it is, and the row's other values are still moved.
 */
export async function resealDealerSecrets(db: Db, config: Pick<Config, "secretsKey">): Promise<ResealReport> {
  const keyring = keyringOf(config);
  let resealed = 0;
  let pending: string[] | null = null; // ids of the rows whose write matched nothing; null = every row
  for (let attempt = 0; attempt < RESEAL_ATTEMPTS && (pending === null || pending.length > 0); attempt++) {
    const rows: DealerRow[] = await db.dealer.findMany(pending ? { where: { id: { in: pending } } } : undefined);
    pending = [];
    for (const row of rows) {
      const sealed = jsonObject(row.secrets);
      let moved = 0;
      const opened: string[] = [];
      for (const [name, value] of Object.entries(sealed)) {
        const context = secretContext(row.id, name);
        try {
          if (!needsReseal(keyring, value)) continue;
          const plaintext = openSecret(keyring, value, context);
          opened.push(plaintext);
          sealed[name] = sealSecret(keyring, plaintext, context);
          moved++;
        } catch (error) {
          // Not openable (a key already gone, an altered value): no rotation can move it; the check below names it.
          if (!(error instanceof SecretOpenError)) throw error;
        }
      }
      // Added to what the process already scrubs for this dealer while the row is written (the row's other values may
      // not have been opened here).
      const holder = dealerSecretHolder(row.id, "reseal");
      if (opened.length) registerLogSecrets(holder, opened);
      try {
        if (!moved) continue;
        // Conditional on the row being as read (its version and its sealed values): a change made meanwhile is not
        // overwritten with stale values, and the row is read again.
        const { count } = await db.dealer.updateMany({ where: { id: row.id, updatedAt: row.updatedAt, secrets: row.secrets }, data: { secrets: JSON.stringify(sealed) } });
        if (count) resealed += moved;
        else pending.push(row.id);
      } finally {
        releaseLogSecrets(holder);
      }
    }
  }
  // Only what is stored counts: every value, read back and opened with the newest key.
  const remaining: ResealProblem[] = [];
  let checked = 0;
  for (const row of await db.dealer.findMany({ orderBy: { slug: "asc" } })) {
    for (const [name, value] of Object.entries(jsonObject(row.secrets)).sort(([a], [b]) => a.localeCompare(b))) {
      checked++;
      const problem = underNewestKey(keyring, value, secretContext(row.id, name));
      if (problem) remaining.push({ dealer: row.slug, variable: name, problem });
    }
  }
  return { newestKey: keyring.current.id, resealed, remaining, checked };
}

export async function findDealer(db: Db, slugOrId: string): Promise<DealerRow | null> {
  return db.dealer.findFirst({ where: { OR: [{ slug: slugOrId }, { id: slugOrId }] } });
}

export async function listDealers(db: Db): Promise<DealerRow[]> {
  return db.dealer.findMany({ orderBy: { createdAt: "asc" } });
}
