/**
 * PaymentIntents and their status machine, as Stripe runs it for cards:
 *
 *   created ──> requires_payment_method ──(payment_method)──> requires_confirmation
 *   confirm ──> succeeded                      (capture_method automatic / automatic_async)
 *           ──> requires_capture ──capture──> succeeded          (capture_method manual)
 *           ──> requires_action ──3DS complete──> succeeded / requires_capture
 *                               ──3DS fail──> requires_payment_method (payment_intent_authentication_failure)
 *           ──> requires_payment_method + last_payment_error  (decline; the confirm call answers 402)
 *   cancel  ──> canceled  (from any status but succeeded / canceled)
 */
import type Stripe from "stripe";
import { DECLINES } from "./cards";
import { recordCharge } from "./balance";
import { createCharge } from "./charges";
import { API_VERSION, type Ctx } from "./context";
import { MAXIMUM_AMOUNT, MINIMUM_AMOUNT, formatAmount, isSupportedCurrency } from "./currency";
import { cardError, docUrl, invalidRequest, missingParam, resourceMissing, StripeApiError, unexpectedState } from "./errors";
import type { ParamObject } from "./form";
import { newId, randomAlnum } from "./ids";
import {
  applyMetadata,
  assertAllowed,
  createdFilter,
  expandParam,
  listParams,
  optBool,
  optEnum,
  optInt,
  optObject,
  optString,
  optStringArray,
} from "./params";
import { createPaymentMethod, resolvePaymentMethod } from "./payment-methods";
import { checkPaymentMethodCustomer, getCustomer, needsAuthentication, saveForFutureUsage } from "./customers";
import { paginate, piForCaller, renderPaymentIntent, validateExpand, type ListPage } from "./render";
import { readStatementDescriptorSuffix, rejectCardStatementDescriptor, calculatedStatementDescriptor } from "./account";
import { readEmail, sendReceiptIfDue } from "./receipts";
import type { PaymentIntentRecord, PaymentMethodRecord } from "./store";

const PI_EXPAND = ["latest_charge", "payment_method", "latest_charge.refunds", "latest_charge.payment_intent"];

/** Params Stripe.js sends alongside confirm/retrieve; accepted and ignored. */
const STRIPE_JS_PARAMS = ["key", "client_secret", "expected_payment_method_type", "muid", "guid", "sid", "_stripe_version", "_stripe_account", "is_stripe_sdk", "client_context", "radar_options", "use_stripe_sdk"];

const CONFIRM_PARAMS = [
  "payment_method",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "allowed_payment_method_types",
  "excluded_payment_method_types",
  "return_url",
  "off_session",
  "setup_future_usage",
  "receipt_email",
  "shipping",
  "capture_method",
  "mandate_data",
  "error_on_requires_action",
  "expand",
  ...STRIPE_JS_PARAMS,
];

const CREATE_PARAMS = [
  "amount",
  "currency",
  "automatic_payment_methods",
  "payment_method_configuration",
  "capture_method",
  "confirmation_method",
  "metadata",
  "description",
  "customer",
  "confirm",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "transfer_group",
  "on_behalf_of",
  "application_fee_amount",
  "transfer_data",
  ...CONFIRM_PARAMS.filter((p) => !STRIPE_JS_PARAMS.includes(p)),
  "use_stripe_sdk",
  "radar_options",
];

const UPDATE_PARAMS = [
  "amount",
  "currency",
  "customer",
  "description",
  "metadata",
  "payment_method",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "allowed_payment_method_types",
  "excluded_payment_method_types",
  "receipt_email",
  "setup_future_usage",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "capture_method",
  "transfer_group",
  "application_fee_amount",
  "expand",
];

/** Statuses in which a PaymentIntent can still be confirmed or have its payment details changed. */
const MUTABLE_STATUSES = ["requires_payment_method", "requires_confirmation", "requires_action"];
const CANCELABLE_STATUSES = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

/** Payment method types the emulator can process (others are filtered out, as Stripe filters incompatible ones). */
const SUPPORTED_TYPES = ["card"];

/**
 * API version 2026-09-30.endive removed `payment_method_types` as a writable
 * parameter of PaymentIntents (create, update, confirm): passing it is a 400
 * `payment_method_types_no_longer_supported`. `allowed_payment_method_types`
 * replaces it and silently drops incompatible types.
 */
function rejectPaymentMethodTypes(params: ParamObject): void {
  if (params["payment_method_types"] === undefined) return;
  throw invalidRequest(
    `The \`payment_method_types\` parameter is not supported on API version ${API_VERSION}. Use \`allowed_payment_method_types\` or \`excluded_payment_method_types\`, or let dynamic payment methods choose.`,
    { param: "payment_method_types", code: "payment_method_types_no_longer_supported" },
  );
}

interface TypeChoice {
  allowed?: string[] | null;
  excluded?: string[] | null;
}

function readTypeChoice(params: ParamObject): TypeChoice {
  rejectPaymentMethodTypes(params);
  const out: TypeChoice = {};
  if (params["allowed_payment_method_types"] !== undefined) {
    const allowed = optStringArray(params, "allowed_payment_method_types") ?? [];
    if (allowed.length === 0) throw invalidRequest("Invalid array", { param: "allowed_payment_method_types", code: "parameter_invalid_empty" });
    out.allowed = allowed;
  }
  if (params["excluded_payment_method_types"] !== undefined) {
    const excluded = optStringArray(params, "excluded_payment_method_types") ?? [];
    out.excluded = excluded.length ? excluded : null;
  }
  if (out.allowed && out.excluded) throw exclusive("allowed_payment_method_types", "excluded_payment_method_types");
  return out;
}

function exclusive(a: string, b: string): StripeApiError {
  return invalidRequest(`You may only specify one of these parameters: ${a}, ${b}.`, { param: a, code: "parameters_exclusive" });
}

/** `payment_method_types` in the response: the usable subset of what was allowed (cards by default). */
function computeTypes(pi: Stripe.PaymentIntent): string[] {
  const base = pi.allowed_payment_method_types ? pi.allowed_payment_method_types.filter((t) => SUPPORTED_TYPES.includes(t)) : [...SUPPORTED_TYPES];
  const excluded = pi.excluded_payment_method_types ?? [];
  return base.filter((t) => !(excluded as string[]).includes(t));
}

/** Apply allowed/excluded types to a PaymentIntent (update and confirm). */
function applyTypeChoice(pi: Stripe.PaymentIntent, choice: TypeChoice): void {
  if (choice.allowed) {
    pi.allowed_payment_method_types = choice.allowed as Stripe.PaymentIntent.AllowedPaymentMethodType[];
    pi.excluded_payment_method_types = null;
    pi.automatic_payment_methods = null;
  }
  if (choice.excluded !== undefined) {
    if (pi.allowed_payment_method_types) throw exclusive("excluded_payment_method_types", "allowed_payment_method_types");
    pi.excluded_payment_method_types = choice.excluded as Stripe.PaymentIntent.ExcludedPaymentMethodType[] | null;
  }
  pi.payment_method_types = computeTypes(pi);
}

export function getPaymentIntent(ctx: Ctx, id: string): PaymentIntentRecord {
  const rec = ctx.store.paymentIntents.get(id);
  if (!rec) throw resourceMissing("payment_intent", id, "intent");
  return rec;
}

/** Validates `client_secret` (required for publishable-key callers). */
export function checkClientSecret(ctx: Ctx, rec: PaymentIntentRecord, params: ParamObject): void {
  const secret = optString(params, "client_secret");
  if (secret === undefined) {
    if (ctx.keyKind === "publishable") {
      throw invalidRequest(
        "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
        { status: 401 },
      );
    }
    return;
  }
  if (secret !== rec.pi.client_secret) {
    throw invalidRequest(
      "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
      { param: "client_secret", code: "payment_intent_invalid_parameter" },
    );
  }
}

function readAmount(params: ParamObject, currency: string, param = "amount"): number | undefined {
  const amount = optInt(params, param, { min: 1 });
  if (amount === undefined) return undefined;
  const min = MINIMUM_AMOUNT[currency];
  if (min !== undefined && amount < min) {
    throw invalidRequest(`Amount must be at least ${formatAmount(min, currency)} ${currency}`, { param, code: "amount_too_small" });
  }
  if (amount > MAXIMUM_AMOUNT) {
    throw invalidRequest(`Amount must be no more than ${formatAmount(MAXIMUM_AMOUNT, currency)}`, { param, code: "amount_too_large" });
  }
  return amount;
}

function readCurrency(params: ParamObject): string | undefined {
  const raw = optString(params, "currency");
  if (raw === undefined) return undefined;
  const c = raw.toLowerCase();
  if (!isSupportedCurrency(c)) {
    throw invalidRequest(`Invalid currency: ${c}. Stripe currently supports these currencies: usd, eur, gbp, ...`, { param: "currency" });
  }
  return c;
}

function readShipping(params: ParamObject): Stripe.PaymentIntent.Shipping | null | undefined {
  const v = params["shipping"];
  if (v === undefined) return undefined;
  if (v === "") return null;
  const s = optObject(params, "shipping");
  if (!s) return null;
  assertAllowed(s, ["address", "carrier", "name", "phone", "tracking_number"], "shipping");
  const addr = optObject(s, "address", "shipping[address]") ?? {};
  return {
    address: {
      city: optString(addr, "city") ?? null,
      country: optString(addr, "country") ?? null,
      line1: optString(addr, "line1") ?? null,
      line2: optString(addr, "line2") ?? null,
      postal_code: optString(addr, "postal_code") ?? null,
      state: optString(addr, "state") ?? null,
    },
    carrier: optString(s, "carrier") ?? null,
    name: optString(s, "name") ?? "",
    phone: optString(s, "phone") ?? null,
    tracking_number: optString(s, "tracking_number") ?? null,
  } as Stripe.PaymentIntent.Shipping;
}

function readOffSession(params: ParamObject): boolean {
  const v = params["off_session"];
  if (v === "one_off" || v === "recurring") return true;
  return optBool(params, "off_session") ?? false;
}

function readReturnUrl(params: ParamObject): string | undefined {
  const url = optString(params, "return_url");
  if (url === undefined || url === "") return undefined;
  // Stripe accepts any absolute URL (custom app schemes included).
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/?\/?\S+$/.test(url)) throw invalidRequest(`Not a valid URL`, { param: "return_url", code: "url_invalid" });
  return url;
}

/**
 * `radar_options` on a server-side create: `session` (a Radar Session id from Stripe.js's createRadarSession,
 * for integrations that collect card details without Stripe.js) and `referrer` (the checkout's referrer URL).
 */
function readRadarOptions(params: ParamObject): void {
  const o = optObject(params, "radar_options");
  if (!o) return;
  assertAllowed(o, ["session", "referrer"], "radar_options");
  const session = optString(o, "session", "radar_options[session]");
  if (session !== undefined && session.length > 5000) throw invalidRequest("Invalid string: too long", { param: "radar_options[session]" });
  const referrer = optString(o, "referrer", "radar_options[referrer]");
  if (referrer && !/^https?:\/\/\S+$/.test(referrer)) throw invalidRequest("Not a valid URL", { param: "radar_options[referrer]", code: "url_invalid" });
}

export function createPaymentIntent(ctx: Ctx, params: ParamObject): PaymentIntentRecord {
  assertAllowed(params, CREATE_PARAMS);
  expandParam(params, PI_EXPAND);
  if (params["amount"] === undefined) throw missingParam("amount");
  const currency = readCurrency(params);
  if (currency === undefined) throw missingParam("currency");
  const amount = readAmount(params, currency) as number;

  const apmParams = optObject(params, "automatic_payment_methods");
  let automatic: Stripe.PaymentIntent.AutomaticPaymentMethods | null = null;
  if (apmParams) {
    assertAllowed(apmParams, ["enabled", "allow_redirects"], "automatic_payment_methods");
    const enabled = optBool(apmParams, "enabled", "automatic_payment_methods[enabled]");
    if (enabled === undefined) throw missingParam("automatic_payment_methods[enabled]");
    const allowRedirects = optEnum(apmParams, "allow_redirects", ["always", "never"] as const, "automatic_payment_methods[allow_redirects]");
    automatic = enabled ? { allow_redirects: allowRedirects ?? "always", enabled: true } : null;
  }
  const typeChoice = readTypeChoice(params);
  // `allowed_payment_method_types` excludes the other ways of choosing payment methods.
  if (typeChoice.allowed && apmParams) throw exclusive("allowed_payment_method_types", "automatic_payment_methods");
  if (typeChoice.allowed && params["payment_method_configuration"] !== undefined) {
    throw exclusive("allowed_payment_method_types", "payment_method_configuration");
  }
  // Since API version 2023-08-16 automatic (dynamic) payment methods are on by default.
  if (!apmParams && !typeChoice.allowed) automatic = { allow_redirects: "always", enabled: true };

  const confirm = optBool(params, "confirm") ?? false;
  for (const p of ["return_url", "off_session", "payment_method_data", "error_on_requires_action", "mandate_data"]) {
    if (params[p] !== undefined && !confirm) {
      throw invalidRequest(`The parameter \`${p}\` can only be passed when \`confirm\` is set to \`true\`.`, { param: p });
    }
  }
  const customer = optString(params, "customer") || null;
  if (customer !== null) getCustomer(ctx, customer);
  const receiptEmail = readEmail(params, "receipt_email") ?? null;
  const descriptorSuffix = readStatementDescriptorSuffix(params) ?? null;
  readRadarOptions(params);

  const created = ctx.now();
  const id = newId("pi");
  const pi: Stripe.PaymentIntent = {
    id,
    object: "payment_intent",
    allowed_payment_method_types: (typeChoice.allowed ?? null) as Stripe.PaymentIntent.AllowedPaymentMethodType[] | null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} } as Stripe.PaymentIntent.AmountDetails,
    amount_received: 0,
    application: null,
    application_fee_amount: optInt(params, "application_fee_amount", { min: 0 }) ?? null,
    automatic_payment_methods: automatic,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: optEnum(params, "capture_method", ["automatic", "automatic_async", "manual"] as const) ?? "automatic_async",
    client_secret: `${id}_secret_${randomAlnum(25)}`,
    confirmation_method: optEnum(params, "confirmation_method", ["automatic", "manual"] as const) ?? "automatic",
    created,
    currency,
    customer,
    customer_account: null,
    description: optString(params, "description") || null,
    excluded_payment_method_types: (typeChoice.excluded ?? null) as Stripe.PaymentIntent.ExcludedPaymentMethodType[] | null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: applyMetadata(params, {}) ?? {},
    next_action: null,
    on_behalf_of: optString(params, "on_behalf_of") || null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" },
    } as Stripe.PaymentIntent.PaymentMethodOptions,
    payment_method_types: [],
    payment_record: null,
    processing: null,
    receipt_email: receiptEmail,
    review: null,
    setup_future_usage: optEnum(params, "setup_future_usage", ["on_session", "off_session"] as const) ?? null,
    shipping: readShipping(params) ?? null,
    source: null,
    statement_descriptor: optString(params, "statement_descriptor") || null,
    statement_descriptor_suffix: descriptorSuffix,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: optString(params, "transfer_group") || null,
  };
  pi.payment_method_types = computeTypes(pi);
  rejectCardStatementDescriptor(pi);

  // Resolve the payment method before storing anything, so a bad one leaves no PaymentIntent behind.
  let pm: PaymentMethodRecord | undefined;
  const pmId = optString(params, "payment_method");
  if (pmId && params["payment_method_data"] !== undefined) {
    throw invalidRequest("You may only specify one of these parameters: payment_method, payment_method_data.", { param: "payment_method_data" });
  }
  if (pmId) pm = resolvePaymentMethod(ctx, pmId);
  if (pm) {
    checkPaymentMethodCustomer(pi, pm);
    pi.payment_method = pm.pm.id;
    pi.status = "requires_confirmation";
  }

  const rec: PaymentIntentRecord = { pi, seq: ctx.store.nextSeq(), explicitApm: apmParams !== undefined && automatic !== null };
  ctx.store.paymentIntents.set(id, rec);
  ctx.emit("payment_intent.created", pi);

  if (confirm) {
    const confirmParams: ParamObject = {};
    for (const k of CONFIRM_PARAMS) {
      const v = params[k];
      if (v !== undefined && k !== "payment_method" && k !== "capture_method" && k !== "setup_future_usage" && k !== "receipt_email" && k !== "shipping" && !k.endsWith("payment_method_types")) {
        confirmParams[k] = v;
      }
    }
    confirmPaymentIntent(ctx, rec, confirmParams);
  }
  return rec;
}

export function retrievePaymentIntent(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentIntent {
  assertAllowed(params, ["expand", "client_secret", "key", "is_stripe_sdk", "_stripe_version", "_stripe_account"]);
  const expand = expandParam(params, PI_EXPAND);
  const rec = getPaymentIntent(ctx, id);
  checkClientSecret(ctx, rec, params);
  return piForCaller(ctx, rec.pi, expand);
}

export function updatePaymentIntent(ctx: Ctx, id: string, params: ParamObject): PaymentIntentRecord {
  assertAllowed(params, UPDATE_PARAMS);
  expandParam(params, PI_EXPAND);
  const rec = getPaymentIntent(ctx, id);
  const { pi } = rec;
  // Payment-affecting fields only while the PaymentIntent is unpaid; metadata,
  // description, receipt_email, shipping... can be changed at any time.
  const restricted = ["amount", "currency", "payment_method", "payment_method_data", "allowed_payment_method_types", "excluded_payment_method_types", "capture_method", "setup_future_usage", "application_fee_amount"];
  rejectPaymentMethodTypes(params);
  for (const field of restricted) {
    if (params[field] !== undefined && !MUTABLE_STATUSES.includes(pi.status)) {
      throw unexpectedState(
        `This PaymentIntent's ${field} could not be updated because it has a status of ${pi.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${MUTABLE_STATUSES.join(", ")}.`,
        renderPaymentIntent(ctx.store, pi),
        field,
      );
    }
  }
  const currency = readCurrency(params) ?? pi.currency;
  const amount = readAmount(params, currency);
  // A new currency must still accept the (unchanged) amount.
  if (params["currency"] !== undefined && amount === undefined) readAmount({ amount: String(pi.amount) }, currency);
  let pm: PaymentMethodRecord | undefined;
  const pmId = optString(params, "payment_method");
  const pmData = optObject(params, "payment_method_data");
  if (pmId && pmData) throw invalidRequest("You may only specify one of these parameters: payment_method, payment_method_data.", { param: "payment_method_data" });
  if (pmId) pm = resolvePaymentMethod(ctx, pmId);
  if (pmData) pm = createPaymentMethod(ctx, pmData, "payment_method_data");
  const metadata = applyMetadata(params, pi.metadata);
  const captureMethod = optEnum(params, "capture_method", ["automatic", "automatic_async", "manual"] as const);
  const sfu = optString(params, "setup_future_usage");
  const typeChoice = readTypeChoice(params);
  const shipping = readShipping(params);
  const customer = optString(params, "customer");
  const receiptEmail = readEmail(params, "receipt_email");
  const descriptorSuffix = readStatementDescriptorSuffix(params);

  let paymentChanged = false;
  if (amount !== undefined && amount !== pi.amount) {
    pi.amount = amount;
    paymentChanged = true;
  }
  if (currency !== pi.currency) {
    pi.currency = currency;
    paymentChanged = true;
  }
  if (pm) {
    pi.payment_method = pm.pm.id;
    paymentChanged = true;
  }
  if (captureMethod) pi.capture_method = captureMethod;
  if (sfu !== undefined) pi.setup_future_usage = sfu === "" ? null : (sfu as Stripe.PaymentIntent.SetupFutureUsage);
  if (typeChoice.allowed || typeChoice.excluded !== undefined) applyTypeChoice(pi, typeChoice);
  if (metadata) pi.metadata = metadata;
  if (params["description"] !== undefined) pi.description = optString(params, "description") || null;
  if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
  if (params["statement_descriptor"] !== undefined) pi.statement_descriptor = optString(params, "statement_descriptor") || null;
  if (descriptorSuffix !== undefined) pi.statement_descriptor_suffix = descriptorSuffix;
  rejectCardStatementDescriptor(pi);
  if (params["transfer_group"] !== undefined) pi.transfer_group = optString(params, "transfer_group") || null;
  if (shipping !== undefined) pi.shipping = shipping;
  if (customer !== undefined) pi.customer = customer || null;
  // Changing what is being paid invalidates a pending authentication.
  if (paymentChanged) {
    pi.next_action = null;
    delete rec.pendingAuthentication;
    pi.status = pi.payment_method ? "requires_confirmation" : "requires_payment_method";
  }
  // A new address on a paid PaymentIntent goes to its charge, which then sends the receipt there.
  if (receiptEmail !== undefined && typeof pi.latest_charge === "string") {
    const charge = ctx.store.charges.get(pi.latest_charge);
    if (charge && charge.status === "succeeded") {
      charge.receipt_email = receiptEmail;
      sendReceiptIfDue(ctx, charge);
    }
  }
  return rec;
}

/** Stripe's rule: intents that allow redirect-based methods need a return_url at confirmation. */
const RETURN_URL_REQUIRED =
  "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.";

export function confirmPaymentIntent(ctx: Ctx, rec: PaymentIntentRecord, params: ParamObject): PaymentIntentRecord {
  assertAllowed(params, CONFIRM_PARAMS);
  expandParam(params, PI_EXPAND);
  const { pi } = rec;
  if (!MUTABLE_STATUSES.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.`,
      piForCaller(ctx, pi),
    );
  }
  const pmId = optString(params, "payment_method");
  const pmData = optObject(params, "payment_method_data");
  if (pmId && pmData) throw invalidRequest("You may only specify one of these parameters: payment_method, payment_method_data.", { param: "payment_method_data" });
  const returnUrl = readReturnUrl(params);
  const offSession = readOffSession(params);
  const useStripeSdk = optBool(params, "use_stripe_sdk") ?? false;
  const errorOnRequiresAction = optBool(params, "error_on_requires_action") ?? false;
  const captureMethod = optEnum(params, "capture_method", ["automatic", "automatic_async", "manual"] as const);
  const sfu = optEnum(params, "setup_future_usage", ["on_session", "off_session", ""] as const);
  const shipping = readShipping(params);
  const typeChoice = readTypeChoice(params);

  if (
    ctx.keyKind === "secret" &&
    pi.automatic_payment_methods?.enabled &&
    pi.automatic_payment_methods.allow_redirects !== "never" &&
    rec.explicitApm &&
    !returnUrl &&
    !useStripeSdk &&
    !offSession
  ) {
    throw invalidRequest(RETURN_URL_REQUIRED, { param: "return_url" });
  }

  let pm: PaymentMethodRecord | undefined;
  if (pmId) pm = resolvePaymentMethod(ctx, pmId);
  else if (pmData) pm = createPaymentMethod(ctx, pmData, "payment_method_data");
  else if (typeof pi.payment_method === "string") pm = ctx.store.paymentMethods.get(pi.payment_method);
  if (!pm) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      piForCaller(ctx, pi),
    );
  }
  if (typeChoice.allowed || typeChoice.excluded !== undefined) applyTypeChoice(pi, typeChoice);
  if (!pi.payment_method_types.includes(pm.pm.type)) {
    throw invalidRequest(
      `The PaymentMethod provided (${pm.pm.type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${pi.payment_method_types.join(", ")}. Alternatively update the allowed_payment_method_types for this PaymentIntent to include "${pm.pm.type}".`,
      { param: "payment_method", code: "payment_intent_incompatible_payment_method" },
    );
  }
  checkPaymentMethodCustomer(pi, pm);
  if (captureMethod) pi.capture_method = captureMethod;
  if (sfu !== undefined) pi.setup_future_usage = sfu === "" ? null : sfu;
  if (shipping !== undefined) pi.shipping = shipping;
  const receiptEmail = readEmail(params, "receipt_email");
  if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
  if (returnUrl) rec.returnUrl = returnUrl;

  pi.payment_method = pm.pm.id;
  pi.last_payment_error = null;
  pi.next_action = null;
  delete rec.pendingAuthentication;

  if (needsAuthentication(pm, offSession)) {
    if (offSession || errorOnRequiresAction) {
      // Off-session payments cannot be challenged: the issuer declines them.
      return decline(ctx, rec, pm, DECLINES.authenticationRequired, false);
    }
    requireAction(ctx, rec, pm, { useStripeSdk, returnUrl: returnUrl ?? rec.returnUrl });
    return rec;
  }
  return authorize(ctx, rec, pm, { offSession, authenticated: false });
}

function threeDSUrl(ctx: Ctx, pi: Stripe.PaymentIntent): string {
  return `${ctx.baseUrl}/_emulator/3ds/${pi.id}?client_secret=${encodeURIComponent(pi.client_secret ?? "")}`;
}

function requireAction(ctx: Ctx, rec: PaymentIntentRecord, pm: PaymentMethodRecord, opts: { useStripeSdk: boolean; returnUrl?: string }): void {
  const { pi } = rec;
  const url = threeDSUrl(ctx, pi);
  pi.status = "requires_action";
  rec.pendingAuthentication = { paymentMethodId: pm.pm.id, offSession: false };
  pi.next_action =
    opts.returnUrl && !opts.useStripeSdk
      ? { type: "redirect_to_url", redirect_to_url: { url, return_url: opts.returnUrl } }
      : ({
          type: "use_stripe_sdk",
          use_stripe_sdk: {
            type: "three_d_secure_redirect",
            stripe_js: url,
            source: newId("src"),
            known_frame_issues: "false",
          },
        } as Stripe.PaymentIntent.NextAction);
  ctx.emit("payment_intent.requires_action", pi);
}

/** Issuer authorisation: decline, or succeed (captured now or held for manual capture). */
function authorize(ctx: Ctx, rec: PaymentIntentRecord, pm: PaymentMethodRecord, opts: { offSession: boolean; authenticated: boolean }): PaymentIntentRecord {
  const { pi } = rec;
  const declined = pm.card.behaviour.decline;
  if (declined) return decline(ctx, rec, pm, declined, opts.authenticated);
  const manual = pi.capture_method === "manual";
  const charge = createCharge(ctx, pi, pm, { capture: !manual, authenticated: opts.authenticated });
  pi.latest_charge = charge.id;
  pi.next_action = null;
  pi.last_payment_error = null;
  delete rec.pendingAuthentication;
  saveForFutureUsage(ctx, rec, pm);
  sendReceiptIfDue(ctx, charge);
  ctx.emit("charge.succeeded", charge);
  if (manual) {
    pi.status = "requires_capture";
    pi.amount_capturable = pi.amount;
    ctx.emit("payment_intent.amount_capturable_updated", pi);
  } else {
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    ctx.emit("payment_intent.succeeded", pi);
  }
  return rec;
}

/** A declined authorisation: failed charge, PaymentIntent back to requires_payment_method, 402. */
function decline(
  ctx: Ctx,
  rec: PaymentIntentRecord,
  pm: PaymentMethodRecord,
  d: { code: string; declineCode: string; message: string },
  authenticated: boolean,
): never {
  const { pi } = rec;
  const charge = createCharge(ctx, pi, pm, { capture: false, decline: d, authenticated });
  pi.latest_charge = charge.id;
  pi.status = "requires_payment_method";
  pi.payment_method = null;
  pi.next_action = null;
  delete rec.pendingAuthentication;
  pi.last_payment_error = {
    charge: charge.id,
    code: d.code,
    decline_code: d.declineCode,
    doc_url: docUrl(d.code),
    message: d.message,
    payment_method: structuredClone(pm.pm),
    payment_method_type: pm.pm.type,
    type: "card_error",
  } as Stripe.PaymentIntent.LastPaymentError;
  ctx.emit("charge.failed", charge);
  ctx.emit("payment_intent.payment_failed", pi);
  throw cardError({
    charge: charge.id,
    code: d.code,
    decline_code: d.declineCode,
    message: d.message,
    payment_intent: piForCaller(ctx, pi),
    payment_method: structuredClone(pm.pm),
  });
}

/** Emulator control: the customer completes or fails the 3-D Secure challenge. */
export function authenticatePaymentIntent(ctx: Ctx, id: string, outcome: "complete" | "fail"): PaymentIntentRecord {
  const rec = getPaymentIntent(ctx, id);
  const { pi } = rec;
  const pending = rec.pendingAuthentication;
  if (pi.status !== "requires_action" || !pending) {
    throw unexpectedState(`PaymentIntent ${pi.id} is not awaiting authentication (status: ${pi.status}).`, renderPaymentIntent(ctx.store, pi));
  }
  const pm = ctx.store.paymentMethods.get(pending.paymentMethodId);
  if (!pm) throw resourceMissing("PaymentMethod", pending.paymentMethodId, "payment_method");
  if (outcome === "fail") {
    pi.status = "requires_payment_method";
    pi.payment_method = null;
    pi.next_action = null;
    delete rec.pendingAuthentication;
    pi.last_payment_error = {
      code: "payment_intent_authentication_failure",
      doc_url: docUrl("payment_intent_authentication_failure"),
      message:
        "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
      payment_method: structuredClone(pm.pm),
      payment_method_type: pm.pm.type,
      type: "invalid_request_error",
    } as Stripe.PaymentIntent.LastPaymentError;
    ctx.emit("payment_intent.payment_failed", pi);
    return rec;
  }
  try {
    return authorize(ctx, rec, pm, { offSession: false, authenticated: true });
  } catch (err) {
    // A decline after authentication (e.g. 4000008260003178) is an outcome, not an error of this control.
    if (err instanceof StripeApiError && err.status === 402) return rec;
    throw err;
  }
}

export function capturePaymentIntent(ctx: Ctx, id: string, params: ParamObject): PaymentIntentRecord {
  assertAllowed(params, ["amount_to_capture", "metadata", "statement_descriptor", "statement_descriptor_suffix", "application_fee_amount", "final_capture", "transfer_data", "expand"]);
  expandParam(params, PI_EXPAND);
  const rec = getPaymentIntent(ctx, id);
  const { pi } = rec;
  if (pi.status !== "requires_capture") {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      renderPaymentIntent(ctx.store, pi),
    );
  }
  const toCapture = optInt(params, "amount_to_capture", { min: 1 }) ?? pi.amount_capturable;
  if (toCapture > pi.amount_capturable) {
    throw invalidRequest(
      `The amount_to_capture (${toCapture}) must be less than or equal to the PaymentIntent's amount_capturable (${pi.amount_capturable}).`,
      { param: "amount_to_capture", code: "amount_too_large" },
    );
  }
  const metadata = applyMetadata(params, pi.metadata);
  const descriptorSuffix = readStatementDescriptorSuffix(params);
  const charge = typeof pi.latest_charge === "string" ? ctx.store.charges.get(pi.latest_charge) : undefined;
  if (!charge) throw invalidRequest("This PaymentIntent has no charge to capture.");
  if (descriptorSuffix !== undefined) {
    pi.statement_descriptor_suffix = descriptorSuffix;
    charge.statement_descriptor_suffix = descriptorSuffix;
    charge.calculated_statement_descriptor = calculatedStatementDescriptor(ctx.store, pi);
  }
  // A partial capture releases the rest of the authorisation, which Stripe reports as refunded.
  charge.captured = true;
  charge.amount_captured = toCapture;
  charge.amount_refunded = charge.amount - toCapture;
  charge.refunded = false;
  recordCharge(ctx, charge);
  const card = charge.payment_method_details?.card;
  if (card) delete (card as { capture_before?: number }).capture_before;
  if (metadata) {
    pi.metadata = metadata;
    charge.metadata = { ...metadata };
  }
  pi.status = "succeeded";
  pi.amount_capturable = 0;
  pi.amount_received = toCapture;
  sendReceiptIfDue(ctx, charge);
  ctx.emit("charge.captured", charge);
  ctx.emit("payment_intent.succeeded", pi);
  return rec;
}

export function cancelPaymentIntent(ctx: Ctx, id: string, params: ParamObject): PaymentIntentRecord {
  assertAllowed(params, ["cancellation_reason", "expand"]);
  expandParam(params, PI_EXPAND);
  const reason = optEnum(params, "cancellation_reason", ["duplicate", "fraudulent", "requested_by_customer", "abandoned"] as const);
  const rec = getPaymentIntent(ctx, id);
  const { pi } = rec;
  if (!CANCELABLE_STATUSES.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE_STATUSES.join(", ")}.`,
      renderPaymentIntent(ctx.store, pi),
    );
  }
  if (pi.status === "requires_capture" && typeof pi.latest_charge === "string") {
    // Canceling releases the uncaptured authorisation: the charge is reported as refunded.
    const charge = ctx.store.charges.get(pi.latest_charge);
    if (charge) {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
      ctx.emit("charge.refunded", charge);
    }
  }
  pi.status = "canceled";
  pi.canceled_at = ctx.now();
  pi.cancellation_reason = reason ?? null;
  pi.amount_capturable = 0;
  pi.next_action = null;
  delete rec.pendingAuthentication;
  ctx.emit("payment_intent.canceled", pi);
  return rec;
}

export function listPaymentIntents(ctx: Ctx, params: ParamObject): ListPage<Stripe.PaymentIntent> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "customer", "expand"]);
  const expand = optStringArray(params, "expand") ?? [];
  validateExpand(expand, "payment_intent", true);
  const page = listParams(params);
  const created = createdFilter(params);
  const customer = optString(params, "customer");
  const items = [...ctx.store.paymentIntents.values()]
    .sort((a, b) => b.seq - a.seq)
    .map((r) => r.pi)
    .filter((pi) => created(pi.created) && (customer === undefined || pi.customer === customer));
  const result = paginate(items, page, "/v1/payment_intents", (id) => resourceMissing("payment_intent", id, "starting_after"));
  const sub = expand.map((e) => e.replace(/^data\./, ""));
  return { ...result, data: result.data.map((pi) => renderPaymentIntent(ctx.store, pi, sub)) };
}

/**
 * `GET /v1/payment_intents/search`: a subset of Stripe's search query language —
 * clauses joined by AND or OR (not mixed): `status:'succeeded'`, `currency:'usd'`,
 * `customer:'cus_1'`, `metadata['key']:'value'`, `amount>1000` (also <, >=, <=, :),
 * `created>1700000000`, and `-` for negation.
 */
export function searchPaymentIntents(ctx: Ctx, params: ParamObject): {
  object: "search_result";
  data: Stripe.PaymentIntent[];
  has_more: boolean;
  next_page: string | null;
  url: string;
} {
  assertAllowed(params, ["query", "limit", "page", "expand"]);
  const query = optString(params, "query");
  if (!query) throw missingParam("query");
  const limit = optInt(params, "limit", { min: 1, max: 100 }) ?? 10;
  const pageToken = optString(params, "page");
  const offset = pageToken ? Number(Buffer.from(pageToken, "base64url").toString("utf8")) || 0 : 0;
  const expand = optStringArray(params, "expand") ?? [];
  validateExpand(expand, "payment_intent", true);
  const predicate = parseSearch(query);
  const all = [...ctx.store.paymentIntents.values()].sort((a, b) => b.seq - a.seq).map((r) => r.pi).filter(predicate);
  const data = all.slice(offset, offset + limit);
  const hasMore = all.length > offset + limit;
  const sub = expand.map((e) => e.replace(/^data\./, ""));
  return {
    object: "search_result",
    data: data.map((pi) => renderPaymentIntent(ctx.store, pi, sub)),
    has_more: hasMore,
    next_page: hasMore ? Buffer.from(String(offset + limit)).toString("base64url") : null,
    url: "/v1/payment_intents/search",
  };
}

function parseSearch(query: string): (pi: Stripe.PaymentIntent) => boolean {
  const hasAnd = /\sAND\s/.test(query);
  const hasOr = /\sOR\s/.test(query);
  if (hasAnd && hasOr) throw invalidRequest("Search queries cannot mix AND and OR.", { param: "query" });
  const clauses = query.split(hasOr ? /\s+OR\s+/ : /\s+AND\s+/).map((c) => c.trim()).filter(Boolean);
  const tests = clauses.map((clause) => {
    const m = /^(-?)(metadata\[(['"])(.+?)\3\]|[a-z_]+)\s*(:|>=|<=|>|<)\s*(?:(['"])(.*?)\6|(-?\d+))$/.exec(clause);
    if (!m) throw invalidRequest(`Invalid search query: could not parse \`${clause}\`.`, { param: "query" });
    const negate = m[1] === "-";
    const field = m[2] ?? "";
    const metaKey = m[4];
    const op = m[5] ?? ":";
    const value = m[7] ?? m[8] ?? "";
    const get = (pi: Stripe.PaymentIntent): string | number | null => {
      if (metaKey !== undefined) return pi.metadata[metaKey] ?? null;
      switch (field) {
        case "status":
        case "currency":
        case "description":
          return pi[field];
        case "customer":
          return typeof pi.customer === "string" ? pi.customer : (pi.customer?.id ?? null);
        case "amount":
        case "created":
          return pi[field];
        default:
          throw invalidRequest(`Field \`${field}\` is not supported for search on payment_intents.`, { param: "query" });
      }
    };
    return (pi: Stripe.PaymentIntent) => {
      const actual = get(pi);
      let ok: boolean;
      if (op === ":") ok = actual !== null && String(actual) === value;
      else {
        const a = Number(actual);
        const v = Number(value);
        ok = actual !== null && (op === ">" ? a > v : op === "<" ? a < v : op === ">=" ? a >= v : a <= v);
      }
      return negate ? !ok : ok;
    };
  });
  return (pi) => (hasOr ? tests.some((t) => t(pi)) : tests.every((t) => t(pi)));
}
