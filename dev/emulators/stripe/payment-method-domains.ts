/**
 * Payment method domains (`/v1/payment_method_domains`): the web domains Elements may show wallets on.
 *
 *   POST /v1/payment_method_domains {domain_name, enabled?}      create (one per domain name)
 *   GET  /v1/payment_method_domains?domain_name=&enabled=        list, newest first
 *   GET  /v1/payment_method_domains/:id, POST .../:id {enabled}  retrieve, update
 *   POST /v1/payment_method_domains/:id/validate                 Stripe checks the domain again
 *
 * A domain name is a host name only (no scheme, port or path), with a dot; IP addresses and `localhost` are
 * refused. Each payment method has a status, `active` or `inactive` with `status_details.error_message`. Stripe
 * verifies Apple Pay with Apple, which must reach the domain over the internet: the emulator finds names under a
 * reserved or private top-level domain (.test, .example, .invalid, .localhost, .local, .internal, .lan, .home.arpa)
 * unreachable, so Apple Pay is inactive there; every other wallet is active. `setWalletStatus` (or
 * `POST /_emulator/payment_method_domains/:id {apple_pay: "inactive", error_message}`) makes a wallet inactive as a
 * later check by Stripe would; `validate` checks again from the domain name.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { assertAllowed, expandParam, listParams, optBool, reqString } from "./params";
import { paginate } from "./render";
import { snapshot, type Store } from "./store";

export const PAYMENT_METHOD_DOMAIN_WALLETS = ["amazon_pay", "apple_pay", "google_pay", "klarna", "link", "paypal"] as const;
export type DomainWallet = (typeof PAYMENT_METHOD_DOMAIN_WALLETS)[number];

const UNREACHABLE_TLDS = [".test", ".example", ".invalid", ".localhost", ".local", ".internal", ".lan", ".home.arpa"];

const domainsByStore = new WeakMap<Store, Map<string, Stripe.PaymentMethodDomain>>();

function domains(store: Store): Map<string, Stripe.PaymentMethodDomain> {
  let m = domainsByStore.get(store);
  if (!m) domainsByStore.set(store, (m = new Map()));
  return m;
}

export function resetPaymentMethodDomains(store: Store): void {
  domainsByStore.delete(store);
}

export function registeredPaymentMethodDomains(store: Store): Stripe.PaymentMethodDomain[] {
  return [...domains(store).values()].map((d) => snapshot(d));
}

function readDomainName(params: ParamObject): string {
  const raw = reqString(params, "domain_name");
  const name = raw.toLowerCase();
  const valid =
    name.length <= 253 &&
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(name) &&
    !/^[\d.]+$/.test(name);
  if (!valid) {
    throw invalidRequest(`Invalid domain_name: ${raw}. Provide a domain name only (e.g. "example.com" or "pay.example.com"), without a scheme, port or path.`, {
      param: "domain_name",
      code: "parameter_invalid",
    });
  }
  return name;
}

/** What Stripe finds when it checks `name`: Apple Pay needs a domain Apple can reach. */
function check(name: string): Record<DomainWallet, Stripe.PaymentMethodDomain.ApplePay> {
  const unreachable = UNREACHABLE_TLDS.some((tld) => name.endsWith(tld));
  const active = { status: "active" } as Stripe.PaymentMethodDomain.ApplePay;
  const wallets = Object.fromEntries(PAYMENT_METHOD_DOMAIN_WALLETS.map((w) => [w, { ...active }])) as Record<DomainWallet, Stripe.PaymentMethodDomain.ApplePay>;
  if (unreachable) {
    wallets.apple_pay = {
      status: "inactive",
      status_details: { error_message: `Apple Pay could not verify ${name}: the domain cannot be reached over HTTPS from the internet.` },
    };
  }
  return wallets;
}

function get(ctx: Ctx, id: string): Stripe.PaymentMethodDomain {
  const d = domains(ctx.store).get(id);
  if (!d) throw resourceMissing("payment_method_domain", id, "id");
  return d;
}

export function createPaymentMethodDomain(ctx: Ctx, params: ParamObject): Stripe.PaymentMethodDomain {
  assertAllowed(params, ["domain_name", "enabled", "expand"]);
  expandParam(params, []);
  const name = readDomainName(params);
  const enabled = optBool(params, "enabled") ?? true;
  if ([...domains(ctx.store).values()].some((d) => d.domain_name === name)) {
    throw invalidRequest(`A payment method domain for ${name} already exists. Retrieve it, or validate it to check it again.`, {
      param: "domain_name",
      code: "resource_already_exists",
    });
  }
  const pmd = { id: newId("pmd"), object: "payment_method_domain", created: ctx.now(), domain_name: name, enabled, livemode: false, ...check(name) } as Stripe.PaymentMethodDomain;
  domains(ctx.store).set(pmd.id, pmd);
  return snapshot(pmd);
}

export function listPaymentMethodDomains(ctx: Ctx, params: ParamObject) {
  assertAllowed(params, ["domain_name", "enabled", "limit", "starting_after", "ending_before", "expand"]);
  expandParam(params, []);
  const page = listParams(params);
  const name = params["domain_name"] === undefined ? undefined : reqString(params, "domain_name").toLowerCase();
  const enabled = optBool(params, "enabled");
  const items = [...domains(ctx.store).values()]
    .reverse()
    .filter((d) => (name === undefined || d.domain_name === name) && (enabled === undefined || d.enabled === enabled))
    .map((d) => snapshot(d));
  return paginate(items, page, "/v1/payment_method_domains", (id) => resourceMissing("payment_method_domain", id, "starting_after"));
}

export function retrievePaymentMethodDomain(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentMethodDomain {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  return snapshot(get(ctx, id));
}

export function updatePaymentMethodDomain(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentMethodDomain {
  assertAllowed(params, ["enabled", "expand"]);
  expandParam(params, []);
  const pmd = get(ctx, id);
  const enabled = optBool(params, "enabled");
  if (enabled !== undefined) pmd.enabled = enabled;
  return snapshot(pmd);
}

export function validatePaymentMethodDomain(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentMethodDomain {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const pmd = get(ctx, id);
  Object.assign(pmd, check(pmd.domain_name));
  return snapshot(pmd);
}

/** A later check by Stripe found a wallet inactive (or active again): what `validate` would undo or confirm. */
export function setWalletStatus(store: Store, id: string, wallet: DomainWallet, status: "active" | "inactive", errorMessage?: string): Stripe.PaymentMethodDomain {
  const pmd = domains(store).get(id);
  if (!pmd) throw resourceMissing("payment_method_domain", id, "id");
  pmd[wallet] =
    status === "active"
      ? ({ status } as Stripe.PaymentMethodDomain.ApplePay)
      : ({ status, status_details: { error_message: errorMessage ?? `${wallet} is not active on ${pmd.domain_name}.` } } as Stripe.PaymentMethodDomain.ApplePay);
  return snapshot(pmd);
}
