// The setup screen: what to paste into Navixy and Stripe, and live checks that each part works.
import type Stripe from "stripe";
import { logger } from "../logging/logger";
import { normalizeCurrency } from "../money";
import type { Services } from "../server/services";
import { audit, type Actor } from "./audit";
import { HANDLED_EVENT_TYPES } from "../payments/intake/handle-stripe-event";

/** The webhook endpoint's events: exactly those the gateway handles. */
export const WEBHOOK_EVENTS = HANDLED_EVENT_TYPES;

export function paymentSystemUrl(services: Services): string {
  return `${services.config.publicUrl}/?id={id}`;
}

export function webhookUrl(services: Services): string {
  return `${services.config.publicUrl}/api/stripe/webhook`;
}

export type CheckState = "ok" | "failed" | "unknown";

export interface SetupCheck {
  id: string;
  label: string;
  state: CheckState;
  detail: string;
  /** A problem that puts money at risk: shown at the top of the setup page, not only in the list. */
  warning?: string;
}

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

/** Runs every check (in parallel, each with its own error). */
export async function runSetupChecks(services: Services, now = new Date()): Promise<SetupCheck[]> {
  const { config, db, navixy, stripe } = services;

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

  const stripeKey = (async (): Promise<SetupCheck> => {
    try {
      const balance = await stripe.balance.retrieve();
      const mode = balance.livemode ? "live" : "test";
      const expected = config.stripe.livemode ? "live" : "test";
      return {
        id: "stripe-key",
        label: "Stripe secret key",
        state: mode === expected ? "ok" : "failed",
        detail: mode === expected ? `valid (${mode} mode)` : `Stripe answered in ${mode} mode but the key says ${expected}`,
      };
    } catch (error) {
      return { id: "stripe-key", label: "Stripe secret key", state: "failed", detail: message(error) };
    }
  })();

  const lastWebhook = (async (): Promise<SetupCheck> => {
    const last = await db.stripeEvent.findFirst({ orderBy: { receivedAt: "desc" }, select: { receivedAt: true, type: true } });
    if (!last) return { id: "webhook-last", label: "Last webhook received", state: "unknown", detail: "none yet: make a test payment" };
    const ms = now.getTime() - last.receivedAt.getTime();
    return { id: "webhook-last", label: "Last webhook received", state: "ok", detail: `${last.type}, ${age(ms)} ago (${last.receivedAt.toISOString()})` };
  })();

  const [navixyChecks, key, webhook] = await Promise.all([navixyLogin, stripeKey, lastWebhook]);
  return [
    ...navixyChecks,
    key,
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
  ];
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
