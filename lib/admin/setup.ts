// The setup screen: what to paste into Navixy and Stripe, and live checks that each part works.
import { createHash } from "node:crypto";
import type Stripe from "stripe";
import { logger } from "../logging/logger";
import { normalizeCurrency } from "../money";
import { getServices, servicesForDealerRow, type Services } from "../server/services";
import { learnedFacts } from "../dealers/directory";
import { audit, type Actor } from "./audit";
import { HANDLED_EVENT_TYPES } from "../payments/intake/handle-stripe-event";
import { STATEMENT_DESCRIPTOR_MAX, fullStatementDescriptor } from "../stripe/statement-descriptor";

/** The webhook endpoint's events: exactly those the gateway handles. */
export const WEBHOOK_EVENTS = HANDLED_EVENT_TYPES;

export function paymentSystemUrl(services: Services): string {
  return `${services.config.publicUrl}/?id={id}`;
}

export function webhookUrl(services: Pick<Services, "config" | "dealer">): string {
  const base = `${services.config.siteUrl}/api/stripe/webhook`;
  return services.dealer.isDefault ? base : `${base}/${services.dealer.slug}`;
}

export type CheckState = "ok" | "failed" | "unknown";

export interface SetupCheck {
  id: string;
  label: string;
  state: CheckState;
  detail: string;
  /** A problem that puts money at risk: shown at the top of the setup page, not only in the list. */
  warning?: string;
  /** Sub-checks shown under it (each wallet of the payment method domain). */
  parts?: { label: string; state: CheckState; detail: string }[];
  /**
   * Failed on Stripe's definite answer (the key is refused), not on a transient failure (unreachable, 5xx): a live
   * dealer is taken out of service for it (lib/admin/dealers.ts).
   */
  definite?: true;
  /** stripe-account, the operator's view: the other dealers of the deployment on this dealer's Stripe account. */
  sharedWith?: DealerStripeAccount[];
  /** The operator's view: `detail` as the dealer itself may read it, when `detail` names other dealers. */
  dealerDetail?: string;
}

/**
 * Who looks at the checks: the operator sees which other dealer shares an account and why one could not be compared;
 * a dealer signed in with its own console login sees its own dealer's facts only, never another dealer's slug, status,
 * Stripe account or error text.
 */
export type SetupViewer = "operator" | "dealer";

/**
 * PAYMENT_CURRENCY set and different from the dealer's currency in Navixy: what to tell the dealer, or null.
 * Navixy keeps balances in the dealer's currency and change_balance takes no currency, so a payment of 25 USD
 * would be credited as 25 EUR.
 */
export function paymentCurrencyMismatch(paymentCurrency: string | undefined, dealerCurrency: string): string | null {
  if (!paymentCurrency) return null;
  const fixed = normalizeCurrency(paymentCurrency);
  const dealer = normalizeCurrency(dealerCurrency);
  if (fixed === dealer) return null;
  return (
    `PAYMENT_CURRENCY is ${fixed} but the dealer currency in Navixy is ${dealer}: payments would be taken in ${fixed} ` +
    `and credited as the same number of ${dealer}. Set PAYMENT_CURRENCY=${dealer}, or unset it to use the dealer currency.`
  );
}

/**
 * At start-up: compares PAYMENT_CURRENCY with the dealer currency and warns in the log when they differ (or when
 * Navixy cannot be asked). Returns the mismatch, or null. Nothing to do when PAYMENT_CURRENCY is unset.
 */
export async function warnOnPaymentCurrencyMismatch(services: Pick<Services, "config" | "navixy">): Promise<string | null> {
  const paymentCurrency = services.config.payments.currency;
  if (!paymentCurrency) return null;
  let dealerCurrency: string;
  try {
    dealerCurrency = normalizeCurrency(await services.navixy.readDealerCurrency());
  } catch (error) {
    logger.warn({ paymentCurrency, err: error }, `could not read the dealer currency in Navixy to compare with PAYMENT_CURRENCY=${paymentCurrency}; see the console's setup page`);
    return null;
  }
  const mismatch = paymentCurrencyMismatch(paymentCurrency, dealerCurrency);
  if (mismatch) logger.warn({ paymentCurrency, dealerCurrency }, mismatch);
  return mismatch;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/**
 * Runs every check (in parallel, each with its own error), as `viewer` may see them: a dealer's view unless the
 * operator's is asked for.
 */
export async function runSetupChecks(services: Services, options: { viewer?: SetupViewer; now?: Date } = {}): Promise<SetupCheck[]> {
  const { viewer = "dealer", now = new Date() } = options;
  const { config, db, navixy } = services;

  const navixyLogin = (async (): Promise<SetupCheck[]> => {
    const checks: SetupCheck[] = [];
    try {
      const currency = normalizeCurrency(await navixy.readDealerCurrency());
      checks.push({ id: "navixy-login", label: "Navixy Admin Panel login", state: "ok", detail: `signed in as ${config.navixy.login}` });
      const fixed = config.payments.currency;
      const mismatch = paymentCurrencyMismatch(fixed, currency);
      checks.push(
        mismatch
          ? { id: "navixy-currency", label: "Dealer currency", state: "failed", detail: `Navixy says ${currency} but PAYMENT_CURRENCY is ${fixed}: balances would be credited in the wrong currency`, warning: mismatch }
          : { id: "navixy-currency", label: "Dealer currency", state: "ok", detail: `${currency}${fixed ? " (PAYMENT_CURRENCY matches)" : ""}` },
      );
    } catch (error) {
      const detail = message(error);
      checks.push({ id: "navixy-login", label: "Navixy Admin Panel login", state: "failed", detail });
      checks.push({
        id: "navixy-currency",
        label: "Dealer currency",
        state: config.payments.currency ? "ok" : "failed",
        detail: config.payments.currency ? `PAYMENT_CURRENCY=${config.payments.currency} (not read from Navixy)` : `cannot be read: ${detail}`,
      });
    }
    // transactions:read is what a retried credit relies on (the lookup before sending again).
    const recent = await db.payment.findFirst({ orderBy: { createdAt: "desc" }, select: { navixyUserId: true } });
    if (!recent) {
      checks.push({ id: "navixy-transactions", label: "Navixy transactions:read", state: "unknown", detail: "checked once the first payment is in the ledger (it needs a user id)" });
    } else {
      try {
        const list = await navixy.listTransactions({ userId: recent.navixyUserId, from: new Date(now.getTime() - 86_400_000), to: now, limit: 1 });
        checks.push({ id: "navixy-transactions", label: "Navixy transactions:read", state: "ok", detail: `read user ${recent.navixyUserId}'s transactions (${list.length} in the last day)` });
      } catch (error) {
        checks.push({ id: "navixy-transactions", label: "Navixy transactions:read", state: "failed", detail: message(error) });
      }
    }
    if (config.navixy.creditMethod === "refill") {
      checks.push({
        id: "navixy-refill",
        label: "Crediting method balance/refill",
        state: config.navixy.apiHash ? "ok" : "failed",
        detail: config.navixy.apiHash ? "NAVIXY_API_HASH is set" : "NAVIXY_API_HASH is missing",
      });
    } else {
      checks.push({ id: "navixy-method", label: "Crediting method", state: "ok", detail: "panel/user/transaction/change_balance (needs users:update and transactions:create)" });
    }
    return checks;
  })();

  const lastWebhook = (async (): Promise<SetupCheck> => {
    const last = await db.stripeEvent.findFirst({ orderBy: { receivedAt: "desc" }, select: { receivedAt: true, type: true } });
    if (!last) return { id: "webhook-last", label: "Last webhook received", state: "unknown", detail: "none yet: make a test payment" };
    const ms = now.getTime() - last.receivedAt.getTime();
    return { id: "webhook-last", label: "Last webhook received", state: "ok", detail: `${last.type}, ${age(ms)} ago (${last.receivedAt.toISOString()})` };
  })();

  const [navixyChecks, key, account, webhook, foreign, wallets, descriptor] = await Promise.all([
    navixyLogin,
    stripeKeyCheck(services),
    stripeAccountCheck(services, viewer),
    lastWebhook,
    foreignEventsCheck(services, now),
    readWalletDomain(services).then(walletDomainCheck),
    statementDescriptorCheck(services),
  ]);
  return [
    ...navixyChecks,
    key,
    account,
    {
      id: "stripe-mode",
      label: "Stripe mode",
      state: "ok",
      detail: config.stripe.livemode ? "live: real money" : "test: no real money moves",
    },
    {
      id: "webhook-secret",
      label: "Webhook signing secret",
      state: /^whsec_\S{8,}$/.test(config.stripe.webhookSecret) ? "ok" : "failed",
      detail: `STRIPE_WEBHOOK_SECRET is set (whsec_…${config.stripe.webhookSecret.slice(-4)})`,
    },
    webhook,
    foreign,
    wallets,
    descriptor,
  ];
}

const FOREIGN_WINDOW_MS = 7 * 86_400_000;

/**
 * Events this dealer's endpoint received for payments its ledger does not hold (another dealer's or deployment's on
 * the same Stripe account) or of another Stripe account: they changed nothing, but the endpoint is registered where
 * it should not be, or the account is not this dealer's alone. Counted, never named by whose they were.
 */
export async function foreignEventsCheck(services: Pick<Services, "db">, now = new Date()): Promise<SetupCheck> {
  const base = { id: "webhook-foreign", label: "Events of payments that are not this dealer's" };
  const where = { status: "foreign", receivedAt: { gte: new Date(now.getTime() - FOREIGN_WINDOW_MS) } };
  const [count, latest] = await Promise.all([
    services.db.stripeEvent.count({ where }),
    services.db.stripeEvent.findFirst({ where, orderBy: { receivedAt: "desc" }, select: { id: true, type: true, receivedAt: true } }),
  ]);
  if (!count || !latest) return { ...base, state: "ok", detail: "none in the last 7 days" };
  const text =
    `${count} event${count === 1 ? "" : "s"} in the last 7 days (the latest ${latest.id}, ${latest.type}, ${age(now.getTime() - latest.receivedAt.getTime())} ago) ` +
    `were of payments this dealer's ledger does not hold, or of another Stripe account: its Stripe account also takes payments for another ` +
    `dealer or deployment, or the webhook endpoint is registered on another account. They changed nothing here.`;
  return { ...base, state: "failed", detail: text, warning: `${text} Give each dealer a Stripe account of its own.` };
}

/** The secret key works, in the mode it says (one Stripe call, never remembered: a revoked key shows at once). */
export async function stripeKeyCheck(services: Pick<Services, "config" | "stripe">): Promise<SetupCheck> {
  const base = { id: "stripe-key", label: "Stripe secret key" };
  try {
    const balance = await services.stripe.balance.retrieve();
    const mode = balance.livemode ? "live" : "test";
    const expected = services.config.stripe.livemode ? "live" : "test";
    return {
      ...base,
      state: mode === expected ? "ok" : "failed",
      detail: mode === expected ? `valid (${mode} mode)` : `Stripe answered in ${mode} mode but the key says ${expected}`,
    };
  } catch (error) {
    // 401: Stripe refuses the key (rolled, revoked, deleted). Anything else may pass: unreachable, 5xx, 429.
    const refused = (error as { type?: string }).type === "StripeAuthenticationError";
    return { ...base, state: "failed", detail: message(error), ...(refused ? { definite: true as const } : {}) };
  }
}

// ---- One Stripe account, one dealer. Stripe sends every event of an account to each of its webhook endpoints: two
// dealers on one account each store every event of it (keyed by dealer, lib/payments/intake), each handles its own
// payments' and records the other's as foreign, but each sees the other's payments, customers and payouts in its
// Stripe Dashboard. So a dealer whose Stripe account is another dealer's does not go live, and a live one that comes
// to share its account is taken out of service (lib/admin/dealers.ts). Each hosted dealer's checks store its account
// id with its settings (lib/dealers/directory.ts learnedFacts), so comparing needs no other dealer's key; the
// environment's own dealer is read with the environment's key.

const accountIdsByKey = new Map<string, string>();

/** The Stripe account a secret key belongs to (GET /v1/account). A key never moves to another account: one read per key. */
export async function readStripeAccountId(services: Pick<Services, "config" | "stripe">): Promise<string> {
  const { apiUrl, secretKey } = services.config.stripe;
  const memo = createHash("sha256").update(`${apiUrl ?? ""}\n${secretKey}`).digest("hex");
  const known = accountIdsByKey.get(memo);
  if (known) return known;
  const account = await services.stripe.accounts.retrieveCurrent();
  accountIdsByKey.set(memo, account.id);
  return account.id;
}

export interface DealerStripeAccount {
  slug: string;
  /** "active", "setup" or "suspended"; the environment's own dealer is always "active". */
  status: string;
  isDefault: boolean;
  /** When it was added; the environment's own dealer is the first. */
  createdAt: Date;
  accountId: string | null;
  /** Why the account is not known. */
  problem?: string;
}

/**
 * The Stripe account of every dealer of the deployment but `services`' own: the environment's dealer's read with
 * its key, each hosted dealer's as its checks stored it, or read with its key (once per key, in memory) when never
 * stored. Nothing of another dealer is written: a write would restart its worker lane. Suspended dealers count:
 * their webhook keeps taking events for the money in flight.
 */
export async function otherDealersStripeAccounts(services: Services): Promise<DealerStripeAccount[]> {
  const own = services.dealer;
  const rows = await services.rootDb.dealer.findMany({ where: { id: { not: own.id } }, orderBy: { createdAt: "asc" } });
  const hosted = rows.map(async (row): Promise<DealerStripeAccount> => {
    const base = { slug: row.slug, status: row.status, isDefault: false, createdAt: row.createdAt };
    const stored = learnedFacts(row).stripeAccountId;
    if (stored) return { ...base, accountId: stored };
    try {
      return { ...base, accountId: await readStripeAccountId(servicesForDealerRow(row)) };
    } catch (error) {
      return { ...base, accountId: null, problem: message(error) };
    }
  });
  const first = new Date(0);
  const environment = own.isDefault
    ? []
    : [
        readStripeAccountId(getServices()).then(
          (accountId): DealerStripeAccount => ({ slug: "default", status: "active", isDefault: true, createdAt: first, accountId }),
          (error: unknown): DealerStripeAccount => ({ slug: "default", status: "active", isDefault: true, createdAt: first, accountId: null, problem: message(error) }),
        ),
      ];
  return Promise.all([...environment, ...hosted]);
}

function dealerName(d: DealerStripeAccount): string {
  return d.isDefault ? `the environment's own dealer "default"` : `dealer "${d.slug}" (${d.status})`;
}

/**
 * Whether another dealer of the deployment takes payments with this dealer's Stripe account. The operator's view
 * names the dealers (and says as the dealer may read it in `dealerDetail`); a dealer's view names none.
 */
export async function stripeAccountCheck(services: Services, viewer: SetupViewer = "dealer"): Promise<SetupCheck> {
  const base = { id: "stripe-account", label: "Stripe account of this dealer alone" };
  let accountId: string;
  let others: DealerStripeAccount[];
  try {
    accountId = await readStripeAccountId(services);
  } catch (error) {
    return { ...base, state: "failed", detail: `the Stripe account could not be read: ${message(error)}` };
  }
  try {
    others = await otherDealersStripeAccounts(services);
  } catch (error) {
    const detail = `${accountId}, not compared with the other dealers of this deployment: ${message(error)}`;
    return { ...base, state: "failed", detail: viewer === "operator" ? detail : `${accountId}, not compared with the other dealers of this deployment yet. Run the checks again.` };
  }
  const view = (operator: string, dealer: string): Pick<SetupCheck, "detail" | "dealerDetail"> =>
    viewer === "operator" ? { detail: operator, ...(operator === dealer ? {} : { dealerDetail: dealer }) } : { detail: dealer };
  const sharing = others.filter((o) => o.accountId === accountId);
  if (sharing.length) {
    const consequence = `Stripe sends each of its events to both dealers' webhook endpoints, and each dealer sees the other's payments in Stripe. Give each dealer a Stripe account of its own.`;
    return {
      ...base,
      state: "failed",
      ...view(
        `${accountId} is also the Stripe account of ${sharing.map(dealerName).join(" and ")}: ${consequence}`,
        `${accountId} is also used by another dealer of this deployment: ${consequence}`,
      ),
      ...(viewer === "operator" ? { sharedWith: sharing } : {}),
    };
  }
  // A dealer in setup whose account is not known yet keeps no one else from going live: it cannot go live itself
  // before its own check has read its account and compared it with every other dealer's, this one's included.
  const unknown = others.filter((o) => o.accountId === null && o.status !== "setup");
  const later = others.filter((o) => o.accountId === null && o.status === "setup");
  if (unknown.length) {
    return {
      ...base,
      state: "failed",
      ...view(
        `${accountId}, not compared yet with ${unknown.map((o) => `${dealerName(o)}: ${o.problem ?? "unknown"}`).join("; ")}. Run the checks again.`,
        `${accountId}, not compared yet with every other dealer of this deployment. Run the checks again.`,
      ),
    };
  }
  const notYet = later.length ? `; ${later.map(dealerName).join(", ")} compared when ${later.length === 1 ? "it goes" : "they go"} live (${later.length === 1 ? "its" : "their"} account is not known yet)` : "";
  return { ...base, state: "ok", ...view(`${accountId}${others.length ? `; no other dealer of this deployment uses it` : ""}${notYet}`, `${accountId}; no other dealer of this deployment uses it`) };
}

// ---- Wallets: Apple Pay and Google Pay (and Link) appear in the Payment Element only on a domain registered
// with Stripe's payment method domains API (Apple Pay requires it; Stripe verifies the domain with Apple itself,
// nothing to host here). The domain is PUBLIC_URL's host: where the checkout is served.

/** The wallets the checkout's Payment Element can show, as the payment method domain names them. */
export const WALLETS = [
  ["apple_pay", "Apple Pay"],
  ["google_pay", "Google Pay"],
  ["link", "Link"],
] as const;

export type WalletId = (typeof WALLETS)[number][0];

export interface WalletDomainStatus {
  domain: string;
  /** Why this domain cannot show wallets at all (not https, or not a public name); no Stripe call was made. */
  notPublic?: string;
  /** Stripe's payment method domain for it, when registered. */
  registered?: {
    id: string;
    enabled: boolean;
    wallets: { id: WalletId; label: string; active: boolean; error: string | null }[];
  };
  /** Stripe could not be asked. */
  error?: string;
}

export function walletDomain(services: Pick<Services, "config">): string {
  return new URL(services.config.publicUrl).hostname;
}

/** Why wallets cannot appear on PUBLIC_URL whatever Stripe says, or null. */
function notPublic(publicUrl: string): string | null {
  const url = new URL(publicUrl);
  const host = url.hostname;
  if (host === "localhost" || host.endsWith(".localhost") || /^[\d.]+$/.test(host) || host.startsWith("[")) {
    return `${host} is not a public domain name: wallets appear only on the domain payers reach`;
  }
  if (url.protocol !== "https:") return "PUBLIC_URL is not https: Apple Pay and Google Pay appear only on https pages";
  return null;
}

async function findPaymentMethodDomain(services: Pick<Services, "stripe">, domain: string): Promise<Stripe.PaymentMethodDomain | undefined> {
  const list = await services.stripe.paymentMethodDomains.list({ domain_name: domain, limit: 1 });
  return list.data.find((d) => d.domain_name === domain);
}

function describeDomain(pmd: Stripe.PaymentMethodDomain): NonNullable<WalletDomainStatus["registered"]> {
  return {
    id: pmd.id,
    enabled: pmd.enabled,
    wallets: WALLETS.map(([id, label]) => {
      const w = pmd[id] as { status: string; status_details?: { error_message?: string } } | undefined;
      return { id, label, active: w?.status === "active", error: w?.status_details?.error_message ?? null };
    }),
  };
}

/** PUBLIC_URL's host as Stripe's payment method domains API knows it. */
export async function readWalletDomain(services: Pick<Services, "config" | "stripe">): Promise<WalletDomainStatus> {
  const domain = walletDomain(services);
  const problem = notPublic(services.config.publicUrl);
  if (problem) return { domain, notPublic: problem };
  try {
    const pmd = await findPaymentMethodDomain(services, domain);
    return pmd ? { domain, registered: describeDomain(pmd) } : { domain };
  } catch (error) {
    return { domain, error: message(error) };
  }
}

export function walletDomainCheck(status: WalletDomainStatus): SetupCheck {
  const base = { id: "wallet-domain", label: `Wallets on ${status.domain} (Apple Pay, Google Pay)` };
  if (status.notPublic) return { ...base, state: "unknown", detail: status.notPublic };
  if (status.error) return { ...base, state: "failed", detail: `Stripe could not be asked: ${status.error}` };
  const reg = status.registered;
  if (!reg) return { ...base, state: "failed", detail: "not registered with Stripe: the Payment Element shows no Apple Pay or Google Pay here. Register it below." };
  const parts = reg.wallets.map((w) => ({
    label: w.label,
    state: (w.active ? "ok" : "failed") as CheckState,
    detail: w.active ? "active" : `inactive${w.error ? `: ${w.error}` : ""}`,
  }));
  if (!reg.enabled) return { ...base, state: "failed", detail: `registered (${reg.id}) but disabled in Stripe: no wallet appears here`, parts };
  const inactive = reg.wallets.filter((w) => !w.active).map((w) => w.label);
  return {
    ...base,
    state: inactive.length ? "failed" : "ok",
    detail: inactive.length ? `registered (${reg.id}); not active: ${inactive.join(", ")}. Fix the cause, then check it again below.` : `registered (${reg.id}), every wallet active`,
    parts,
  };
}

export type RegisterDomainOutcome =
  | { kind: "created" | "validated"; domainId: string; status: WalletDomainStatus }
  | { kind: "refused"; message: string };

/**
 * Registers PUBLIC_URL's host with Stripe's payment method domains API, or, when it is registered already, asks
 * Stripe to check it again (`validate`: after fixing what kept a wallet inactive). Never a second registration.
 */
export async function registerWalletDomain(services: Services, who: Actor): Promise<RegisterDomainOutcome> {
  const domain = walletDomain(services);
  let outcome: RegisterDomainOutcome;
  try {
    const existing = await findPaymentMethodDomain(services, domain);
    const pmd = existing
      ? await services.stripe.paymentMethodDomains.validate(existing.id)
      : await services.stripe.paymentMethodDomains.create({ domain_name: domain, enabled: true });
    outcome = { kind: existing ? "validated" : "created", domainId: pmd.id, status: { domain, registered: describeDomain(pmd) } };
  } catch (error) {
    outcome = { kind: "refused", message: `Stripe refused: ${message(error)}` };
  }
  await audit(services.db, {
    ...who,
    action: "stripe.payment_method_domain.register",
    target: outcome.kind === "refused" ? null : outcome.domainId,
    after:
      outcome.kind === "refused"
        ? { outcome: outcome.kind, domain, message: outcome.message }
        : { outcome: outcome.kind, domain, enabled: outcome.status.registered?.enabled, wallets: Object.fromEntries((outcome.status.registered?.wallets ?? []).map((w) => [w.id, w.active ? "active" : "inactive"])) },
  });
  return outcome;
}

// ---- The statement descriptor: "<account prefix>* <STRIPE_STATEMENT_DESCRIPTOR_SUFFIX>" must fit 22 characters.
// The prefix is the account's (Stripe dashboard → Settings → Public details), so only Stripe can tell.

export async function statementDescriptorCheck(services: Pick<Services, "config" | "stripe">): Promise<SetupCheck> {
  const base = { id: "statement-descriptor", label: "Card statement descriptor" };
  const suffix = services.config.stripe.statementDescriptorSuffix;
  if (!suffix) return { ...base, state: "ok", detail: "STRIPE_STATEMENT_DESCRIPTOR_SUFFIX is not set: card statements show the account's statement descriptor" };
  let account: Stripe.Account;
  try {
    account = await services.stripe.accounts.retrieveCurrent();
  } catch (error) {
    return { ...base, state: "unknown", detail: `the account's prefix could not be read: ${message(error)}` };
  }
  // Without a prefix of its own, Stripe uses the account's statement descriptor, cut to 10 characters.
  const prefix = account.settings?.card_payments?.statement_descriptor_prefix ?? account.settings?.payments?.statement_descriptor?.slice(0, 10) ?? null;
  if (!prefix) return { ...base, state: "failed", detail: "the Stripe account has no statement descriptor or prefix: set one in the Stripe dashboard (Settings → Public details)" };
  const full = fullStatementDescriptor(prefix, suffix);
  return full.length <= STATEMENT_DESCRIPTOR_MAX
    ? { ...base, state: "ok", detail: `statements show "${full}" (${full.length} of ${STATEMENT_DESCRIPTOR_MAX} characters)` }
    : {
        ...base,
        state: "failed",
        detail: `"${full}" is ${full.length} characters, more than the ${STATEMENT_DESCRIPTOR_MAX} a statement shows: shorten STRIPE_STATEMENT_DESCRIPTOR_SUFFIX to ${Math.max(0, STATEMENT_DESCRIPTOR_MAX - full.length + suffix.length)} characters or the prefix "${prefix}"`,
      };
}

export type CreateWebhookOutcome =
  | { kind: "created"; endpointId: string; secret: string; url: string }
  | { kind: "exists"; endpointId: string; url: string }
  | { kind: "refused"; message: string };

/**
 * Creates the Stripe webhook endpoint for this gateway with exactly its events. If one for this
 * URL exists already, says so instead of making a second (Stripe would then send every event twice).
 */
export async function createWebhookEndpoint(services: Services, who: Actor): Promise<CreateWebhookOutcome> {
  const url = webhookUrl(services);
  let outcome: CreateWebhookOutcome;
  try {
    let existing: Stripe.WebhookEndpoint | undefined;
    for await (const e of services.stripe.webhookEndpoints.list({ limit: 100 })) {
      if (e.url === url) {
        existing = e;
        break;
      }
    }
    if (existing) {
      outcome = { kind: "exists", endpointId: existing.id, url };
    } else {
      const created = await services.stripe.webhookEndpoints.create({
        url,
        enabled_events: [...WEBHOOK_EVENTS],
        description: "Navixy payment gateway",
      });
      outcome = { kind: "created", endpointId: created.id, secret: created.secret ?? "", url };
    }
  } catch (error) {
    outcome = { kind: "refused", message: `Stripe refused: ${message(error)}` };
  }
  await audit(services.db, {
    ...who,
    action: "stripe.webhook_endpoint.create",
    target: outcome.kind === "refused" ? null : outcome.endpointId,
    after: { outcome: outcome.kind, url, events: WEBHOOK_EVENTS, ...(outcome.kind === "refused" ? { message: outcome.message } : {}) },
  });
  return outcome;
}
