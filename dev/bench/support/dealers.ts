// Hosted dealers for the dealers suite: rows written straight into the Dealer table (settings as the variables of
// lib/dealers/settings.ts, the secret ones sealed with SECRETS_KEY as lib/dealers/directory.ts seals them), each
// with its own webhook signing secret and a distinct learned Stripe account, all on the shared emulators; owed
// credits written as a backlog; a payment made through a dealer's page as its payer makes it; the worker's
// "balance movement applied" lines read back from a server's log.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { Db } from "../../../lib/db/client";
import { newDealerId, secretContext } from "../../../lib/dealers/directory";
import { parseSecretsKey, sealSecret } from "../../../lib/dealers/secret-box";
import { SECRET_VARIABLES, dealerConfig } from "../../../lib/dealers/settings";
import { newId } from "../../../lib/ids";
import { creditKey } from "../../../lib/payments/ledger/movement-keys";
import { creditText } from "../../../lib/payments/sync-payment-intent";
import { createStripeClient } from "../../../lib/stripe/client";
import type { FaultRule, SeedUser } from "../../emulators/navixy";
import { BENCH_STRIPE_PUBLISHABLE_KEY, BENCH_STRIPE_SECRET_KEY } from "./emulators";
import { WEBHOOK_SECRET, log } from "./env";
import { signatureHeader, webhookUrl, type EventDealer } from "./payments";
import type { Emulators } from "./servers";

/** A SECRETS_KEY for one run: the gateway opens the dealers' secrets with it. */
export function benchSecretsKey(): string {
  return `bench:${randomBytes(32).toString("base64")}`;
}

/** A dealer's variables on the shared emulators: the Stripe emulator's one key pair, its own webhook secret. */
function dealerValues(emu: Emulators, webhookSecret: string): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: BENCH_STRIPE_SECRET_KEY,
    STRIPE_PUBLISHABLE_KEY: BENCH_STRIPE_PUBLISHABLE_KEY,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: emu.stripeUrl,
    NAVIXY_API_URL: emu.navixyApiUrl,
    NAVIXY_PANEL_LOGIN: emu.login,
    NAVIXY_PANEL_PASSWORD: emu.password,
    NAVIXY_CREDIT_METHOD: "panel",
    PAYMENT_CAPTURE: "automatic",
  };
}

/**
 * `count` active hosted dealers, slugs `<prefix>-<n>`. Each row is what addDealer and a passed check leave: the
 * variables validated as a whole (dealerConfig, with the gateway's environment `env`: the first row is checked, the
 * others differ from it in their secret only), the secret ones sealed for that dealer and variable, status "active",
 * a learned Stripe account id of its own.
 */
export async function insertDealers(db: Db, opts: { count: number; prefix: string; secretsKey: string; emu: Emulators; env: NodeJS.ProcessEnv }): Promise<EventDealer[]> {
  const started = Date.now();
  const keyring = parseSecretsKey(opts.secretsKey);
  const dealers: EventDealer[] = [];
  const rows: { id: string; slug: string; name: string; status: string; settings: string; secrets: string }[] = [];
  for (let n = 1; n <= opts.count; n++) {
    const id = newDealerId();
    const slug = `${opts.prefix}-${n}`;
    const webhookSecret = `whsec_${randomBytes(24).toString("hex")}`;
    const values = dealerValues(opts.emu, webhookSecret);
    if (n === 1) dealerConfig(slug, opts.env, values); // throws naming the variable the gateway would refuse
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      if (SECRET_VARIABLES.has(name)) secrets[name] = sealSecret(keyring, value, secretContext(id, name));
      else settings[name] = value;
    }
    settings["learned"] = { stripeAccountId: `acct_bench${n.toString().padStart(8, "0")}` };
    rows.push({ id, slug, name: `Bench dealer ${n}`, status: "active", settings: JSON.stringify(settings), secrets: JSON.stringify(secrets) });
    dealers.push({ id, slug, webhookSecret });
  }
  for (let i = 0; i < rows.length; i += 500) await db.dealer.createMany({ data: rows.slice(i, i + 500) });
  log(`inserted ${opts.count} dealers (${opts.prefix}-*) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dealers;
}

// ---- the Navixy emulator's controls ---------------------------------------------------------------------------------

async function control(emu: Emulators, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${emu.navixyUrl}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`Navixy emulator ${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Adds (or resets the balance of) these Navixy users. */
export function navixyUsers(emu: Emulators, ids: readonly number[]): Promise<void> {
  const users: SeedUser[] = ids.map((id) => ({ id, firstName: "Bench", lastName: `User ${id}`, balance: "0.00" }));
  return control(emu, "POST", "users", users);
}

export function navixyFault(emu: Emulators, rule: FaultRule): Promise<void> {
  return control(emu, "POST", "faults", rule);
}

export function clearNavixyFaults(emu: Emulators): Promise<void> {
  return control(emu, "DELETE", "faults");
}

// ---- owed credits ---------------------------------------------------------------------------------------------------

/**
 * `count` succeeded payments of a dealer, each with its credit owed (a pending balance movement), as the worker
 * finds them after an outage: written straight into the ledger. References are unique and all the same length
 * (`pi_<tag><8 digits>`), so that none is the beginning of another when a lookup searches Navixy's texts.
 */
export async function insertOwedCredits(db: Db, opts: { dealerId: string; userId: number; count: number; tag: string }): Promise<string[]> {
  const now = new Date();
  const references: string[] = [];
  for (let i = 0; i < opts.count; i += 500) {
    const chunk = Array.from({ length: Math.min(500, opts.count - i) }, (_, j) => {
      const reference = `pi_${opts.tag}${String(i + j).padStart(8, "0")}`;
      references.push(reference);
      return { paymentId: newId("pay"), reference };
    });
    await db.payment.createMany({
      data: chunk.map((c) => ({
        id: c.paymentId,
        dealerId: opts.dealerId,
        navixyUserId: opts.userId,
        amount: 100,
        currency: "eur",
        status: "succeeded",
        amountReceived: 100,
        stripePaymentIntentId: c.reference,
        succeededAt: now,
      })),
    });
    await db.balanceMovement.createMany({
      data: chunk.map((c) => ({
        id: newId("mv"),
        dealerId: opts.dealerId,
        paymentId: c.paymentId,
        kind: "credit",
        navixyUserId: opts.userId,
        amount: 100,
        currency: "eur",
        navixyAmount: "1.00",
        reference: c.reference,
        text: creditText(c.reference),
        idempotencyKey: creditKey(c.reference),
      })),
    });
  }
  return references;
}

// ---- a payment through a dealer's page ------------------------------------------------------------------------------

export interface PagePayment {
  paymentId: string;
  paymentIntentId: string;
  /** The checkout page's time to its response head, ms. */
  pageMs: number;
  /** Epoch ms of the webhook's 2xx. */
  okAt: number;
}

/**
 * Pays as a payer of `dealer` (null: the environment's own dealer) does: its checkout page for `userId`,
 * POST /d/<slug>/api/payments, the PaymentIntent confirmed in the Stripe emulator with the publishable key, then the
 * emulator's payment_intent.succeeded event, signed with the dealer's secret, to its webhook endpoint.
 */
export async function payThroughPage(origin: string, emu: Emulators, dealer: EventDealer | null, userId: number, amount: number): Promise<PagePayment> {
  const base = dealer ? `${origin}/d/${dealer.slug}` : origin;
  const name = dealer?.slug ?? "the default dealer";
  const t0 = performance.now();
  const page = await fetch(`${base}/?id=${userId}`);
  const pageMs = performance.now() - t0;
  await page.arrayBuffer();
  if (page.status !== 200) throw new Error(`${name}'s checkout page answered ${page.status}`);
  const created = await fetch(`${base}/api/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, amount }) });
  const body = (await created.json()) as { paymentId?: string; clientSecret?: string };
  if (created.status !== 201 || !body.paymentId || !body.clientSecret) throw new Error(`${name}: POST /api/payments answered ${created.status} ${JSON.stringify(body)}`);
  const paymentIntentId = body.clientSecret.split("_secret_")[0]!;
  const confirmed = await fetch(`${emu.stripeUrl}/v1/payment_intents/${paymentIntentId}/confirm`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_STRIPE_PUBLISHABLE_KEY}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_secret: body.clientSecret, payment_method: "pm_card_visa", return_url: `${base}/payment/complete` }),
  });
  if (confirmed.status !== 200) throw new Error(`${name}: confirming ${paymentIntentId} answered ${confirmed.status}`);
  const stripe = createStripeClient({ secretKey: BENCH_STRIPE_SECRET_KEY, apiUrl: emu.stripeUrl });
  let payload: string | undefined;
  for await (const event of stripe.events.list({ type: "payment_intent.succeeded", limit: 20 })) {
    if ((event.data.object as { id: string }).id === paymentIntentId) {
      payload = JSON.stringify(event, null, 2);
      break;
    }
  }
  if (!payload) throw new Error(`${paymentIntentId} has no payment_intent.succeeded event in the emulator`);
  const delivered = await fetch(webhookUrl(origin, dealer ? { dealer } : {}), {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": signatureHeader(payload, dealer?.webhookSecret ?? WEBHOOK_SECRET) },
    body: payload,
  });
  await delivered.arrayBuffer();
  if (delivered.status !== 200) throw new Error(`${name}'s webhook answered ${delivered.status}`);
  return { paymentId: body.paymentId, paymentIntentId, pageMs, okAt: Date.now() };
}

// ---- the worker's log ------------------------------------------------------------------------------------------------

/** The "balance movement applied" lines of a server's JSON log: which worker, when (epoch ms), whose payment. */
export function appliedLines(logFile: string): { worker: string; at: number; paymentId: string | undefined }[] {
  const out: { worker: string; at: number; paymentId: string | undefined }[] = [];
  for (const line of fs.readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes('"balance movement applied"')) continue;
    try {
      const entry = JSON.parse(line) as { worker?: string; time?: string | number; paymentId?: string };
      if (!entry.worker) continue;
      out.push({ worker: entry.worker, at: typeof entry.time === "number" ? entry.time : Date.parse(String(entry.time)), paymentId: entry.paymentId });
    } catch {
      /* not a log line of ours */
    }
  }
  return out;
}
