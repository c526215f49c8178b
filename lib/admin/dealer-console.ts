// The console's view of dealers (multi-dealer hosting): which dealer a session works on, the operator's switch
// between dealers, the dealer list and a dealer's page, and each dealer's own console password. Adding, changing,
// checking and suspending dealers are ./dealers.ts (shared with `npm run dealers`).
import type { Services } from "../server/services";
import { backedOffDealers, type DealerBackoffView } from "./backoff";
import { getServices } from "../server/services";
import { DEFAULT_DEALER, DealerInputError, dealerSettingsView, findDealer, listDealers, type DealerRow } from "../dealers/directory";
import { DEALER_VARIABLES, SECRET_VARIABLES } from "../dealers/settings";
import { webhookUrl } from "./setup";
import { audit, type Actor } from "./audit";
import type { AdminSessionInfo } from "./auth";
import { hashPassword } from "./password-hash";

/** A dealer as the console names it. */
export interface DealerChoice {
  id: string;
  slug: string;
  name: string;
  status: string;
}

/** Shorter cannot stand up to guessing for long, even behind the sign-in limit. */
export const CONSOLE_PASSWORD_MIN = 12;
const CONSOLE_PASSWORD_MAX = 200;

/** The environment's own dealer, under the name its payer's page shows. */
function defaultChoice(services: Services): DealerChoice {
  const name = services.config.brand.name?.trim();
  return { id: DEFAULT_DEALER.id, slug: DEFAULT_DEALER.slug, name: name ? `${name} (this deployment's own)` : "This deployment's own dealer", status: "active" };
}

function choiceOf(row: Pick<DealerRow, "id" | "slug" | "name" | "status">): DealerChoice {
  return { id: row.id, slug: row.slug, name: row.name, status: row.status };
}

export interface ConsoleHeader {
  /** The dealer the pages show. */
  dealer: DealerChoice;
  /** What an operator can switch to (every dealer, the deployment's own first); empty for a dealer's login. */
  choices: DealerChoice[];
}

/** What the console's header shows for a session working on `services`' dealer. */
export async function consoleHeader(session: AdminSessionInfo, services: Services): Promise<ConsoleHeader> {
  const root = getServices();
  const dealer = services.dealer.isDefault ? defaultChoice(root) : choiceOf(services.dealer);
  if (session.role !== "operator") return { dealer, choices: [] };
  const rows = await listDealers(root.rootDb);
  return { dealer, choices: [defaultChoice(root), ...rows.map(choiceOf)] };
}

/** The operator's switch: the session works on another dealer from now on (its pages, exports and actions). */
export async function switchDealer(session: AdminSessionInfo, who: Actor, slug: string): Promise<DealerChoice> {
  if (session.role !== "operator") throw new DealerInputError("Only the operator can switch between dealers.");
  const root = getServices();
  let target: DealerChoice;
  if (slug === DEFAULT_DEALER.slug) target = defaultChoice(root);
  else {
    const row = await findDealer(root.rootDb, slug);
    if (!row || row.slug !== slug) throw new DealerInputError(`There is no dealer "${slug}".`);
    target = choiceOf(row);
  }
  await root.rootDb.adminSession.update({ where: { id: session.id }, data: { dealerId: target.id } });
  await audit(root.rootDb, { ...who, dealerId: target.id, action: "console.switch_dealer", target: target.slug, before: { dealerId: session.dealerId }, after: { dealerId: target.id } });
  return target;
}

export interface DealerListEntry extends DealerChoice {
  paymentSystemUrl: string;
  webhookUrl: string;
  hasConsoleLogin: boolean;
  createdAt: Date;
  /** Backed off by the worker (its Navixy or Stripe keeps failing), or null. */
  backoff: DealerBackoffView | null;
}

function listEntry(root: Services, row: DealerRow, backoff: DealerBackoffView | null = null): DealerListEntry {
  return {
    backoff,
    ...choiceOf(row),
    paymentSystemUrl: `${root.config.siteUrl}/d/${row.slug}/?id={id}`,
    webhookUrl: webhookUrl({ config: root.config, dealer: { ...DEFAULT_DEALER, isDefault: false, slug: row.slug } }),
    hasConsoleLogin: !!row.consolePasswordHash,
    createdAt: row.createdAt,
  };
}

/** The operator's dealer list, oldest first. */
export async function dealerList(): Promise<DealerListEntry[]> {
  const root = getServices();
  const [rows, backedOff] = await Promise.all([listDealers(root.rootDb), backedOffDealers(root.rootDb)]);
  return rows.map((row) => listEntry(root, row, backedOff.get(row.id) ?? null));
}

export interface DealerPageView extends DealerListEntry {
  /** Every dealer variable: its value, or for a secret only whether it is set (never its value). */
  variables: { name: string; secret: boolean; value: string | null; set: boolean }[];
  suspendedAt: Date | null;
}

/** One dealer as the operator's page shows it; null when there is none. */
export async function dealerPage(slug: string): Promise<DealerPageView | null> {
  const root = getServices();
  const row = await findDealer(root.rootDb, slug);
  if (!row || row.slug !== slug) return null;
  const view = dealerSettingsView(row);
  const backoff = (await backedOffDealers(root.rootDb)).get(row.id) ?? null;
  return {
    ...listEntry(root, row, backoff),
    suspendedAt: row.suspendedAt,
    variables: DEALER_VARIABLES.map((name) => {
      const secret = SECRET_VARIABLES.has(name);
      return secret
        ? { name, secret, value: null, set: view.secrets.includes(name) }
        : { name, secret, value: view.settings[name] ?? null, set: name in view.settings };
    }),
  };
}

/**
 * Sets (or, with null, removes) a dealer's own console password. Its sessions end: whoever held the old
 * password is signed out. Only a salted scrypt hash is stored; the audit log says that it changed, not to what.
 */
export async function setDealerConsolePassword(who: Actor, slug: string, password: string | null): Promise<DealerChoice> {
  if (password !== null && (password.length < CONSOLE_PASSWORD_MIN || password.length > CONSOLE_PASSWORD_MAX)) {
    throw new DealerInputError(`A console password is ${CONSOLE_PASSWORD_MIN}-${CONSOLE_PASSWORD_MAX} characters.`);
  }
  const root = getServices();
  if (password !== null && password === root.config.admin.password) throw new DealerInputError("A dealer's console password cannot be the operator's ADMIN_PASSWORD.");
  const row = await findDealer(root.rootDb, slug);
  if (!row || row.slug !== slug) throw new DealerInputError(`There is no dealer "${slug}".`);
  const hash = password === null ? null : await hashPassword(password);
  const now = new Date();
  await root.rootDb.dealer.update({ where: { id: row.id }, data: { consolePasswordHash: hash } });
  const ended = await root.rootDb.adminSession.updateMany({
    where: { dealerId: row.id, role: "dealer", revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now },
  });
  await audit(root.rootDb, {
    ...who,
    dealerId: row.id,
    action: password === null ? "console.dealer_login_removed" : "console.dealer_password",
    target: row.slug,
    comment: `${ended.count} session${ended.count === 1 ? "" : "s"} of the dealer ended`,
  });
  return choiceOf(row);
}

/** Whether any hosted dealer can sign in to the console (the sign-in form then asks which dealer). */
export async function anyDealerLogin(): Promise<boolean> {
  return (await getServices().rootDb.dealer.count({ where: { consolePasswordHash: { not: null } } })) > 0;
}
