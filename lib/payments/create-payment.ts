// POST /api/payments: the payer chose an amount and pressed Pay. The ledger row comes first, then the
// PaymentIntent, created with an idempotency key derived from our payment id so a retried request can
// never create a second PaymentIntent for one payment.
import { z } from "zod";
import type { Services } from "../server/services";
import { HttpError, json } from "../http/responses";
import { readJsonBody } from "../http/json-body";
import { asNavixyUserId, newId } from "../ids";
import { createPaymentRecord, movePayment } from "./ledger/payment-records";
import { amountLimits, amountProblem } from "./limits";
import { loadNavixyUser } from "./navixy-user";
import { payerOf, recordPayerTerms } from "./payer";
import { paymentStatusFromIntent } from "./ledger/states";
import { paymentLogger, requestLogger } from "../logging/logger";
import { enforcePaymentsPerIp, enforcePaymentsPerUser } from "../security/rate-limit";
import { clientAddress } from "../security/client-address";
import { DEFAULT_LOCALE, LOCALES } from "../i18n/locales";
import { prepareReceipt } from "./receipts";
import { countPaymentCreated } from "../metrics";

const body = z.object({
  userId: z.number().int().positive().max(2_147_483_647).transform(asNavixyUserId),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The payer opted in to automatic top-up: checked by the feature that takes it (services.hooks.autoTopUp). */
  autoTopUp: z.unknown().optional(),
  /** The payer ticked "Send a receipt to <masked e-mail>": the address is the Navixy login, known only here. */
  receipt: z.boolean().optional(),
  /** The page's language: the receipt's. */
  locale: z.enum(LOCALES).optional(),
});

export interface CreatedPayment {
  paymentId: string;
  clientSecret: string;
  amount: number;
  currency: string;
}

/** What creating a payment needs: the Navixy user and dealer currency, the ledger, Stripe, and the opt-ins. */
export type CreatePaymentDeps = Pick<Services, "config" | "currency" | "db" | "sql" | "dealer" | "hooks" | "navixy" | "stripe">;

export async function createPayment(services: CreatePaymentDeps, request: Request): Promise<Response> {
  // Card-testing defence (limits shared by all instances): per client address before anything is parsed or anyone
  // is called; per user once Navixy said the id is a user of this dealer, so no one can spend a real user's count
  // with ids that are not theirs (or not this dealer's).
  await enforcePaymentsPerIp(services, request.headers);
  const input = await readInput(request);
  const user = await loadNavixyUser(services, input.userId);
  await enforcePaymentsPerUser(services, user.id);
  const currency = await services.currency.get().catch(() => {
    throw new HttpError(503, "navixy_unavailable", "We cannot reach the balance service right now. Please try again in a minute.");
  });
  const limits = amountLimits(services.config.payments, currency);
  const problem = amountProblem(input.amount, limits);
  if (problem) throw new HttpError(400, "amount_out_of_range", problem);
  const locale = input.locale ?? services.config.payments.defaultLocale ?? DEFAULT_LOCALE;
  const receipt = input.receipt ? await prepareReceipt(services, user, locale).catch(stripeRefusal) : null;
  const optIn = input.autoTopUp === undefined ? undefined : services.hooks.autoTopUp;
  if (input.autoTopUp !== undefined && !optIn) throw new HttpError(400, "auto_top_up_unavailable", "Automatic top-up is not available here.");
  const enrolment = optIn ? await optIn.prepare(services, { navixyUserId: user.id, currency, input: input.autoTopUp }) : null;

  const { config, db, stripe } = services;
  // Who pays, for the dealer's console (never in this route's answer); the search words first, harmless alone.
  const payer = payerOf(user);
  await recordPayerTerms(db, services.dealer.id, user.id, payer);
  const payment = await createPaymentRecord(db, {
    id: newId("pay"),
    navixyUserId: user.id,
    amount: input.amount,
    currency: currency.toLowerCase(),
    captureMethod: config.payments.capture,
    livemode: config.stripe.livemode,
    ...payer,
  });
  const log = paymentLogger(payment.id, requestLogger(request));
  log.info({ navixyUserId: user.id, amount: payment.amount, currency: payment.currency }, "payment created");
  // Automatic top-up: the rule waits for this payment; its PaymentIntent saves the card to the user's Customer.
  const autoTopUp = optIn ? await optIn.record(services, enrolment, payment) : null;

  let intent;
  try {
    intent = await stripe.paymentIntents.create(
      {
        amount: payment.amount,
        currency: payment.currency,
        automatic_payment_methods: { enabled: true },
        capture_method: config.payments.capture,
        description: `Navixy balance top-up for user ${user.id}`,
        ...(config.stripe.statementDescriptorSuffix ? { statement_descriptor_suffix: config.stripe.statementDescriptorSuffix } : {}),
        // The user's Customer: the receipt's language (and, with automatic top-up, where the card is saved: the same one).
        ...(receipt ? { customer: receipt.customer } : {}),
        metadata: {
          navixy_user_id: String(user.id),
          payment_id: payment.id,
          ...radarMetadata(request.headers, config.security.trustedProxies),
          ...receipt?.metadata,
          ...autoTopUp?.metadata,
        },
        ...autoTopUp?.intentParams,
      },
      { idempotencyKey: `payment:${payment.id}:create` },
    );
  } catch (error) {
    log.error({ err: error }, "Stripe refused or did not answer the PaymentIntent");
    const status = (error as { type?: string }).type === "StripeInvalidRequestError" ? 400 : 503;
    throw new HttpError(
      status,
      status === 400 ? "payment_not_accepted" : "stripe_unavailable",
      status === 400
        ? "This payment cannot be accepted. Please choose another amount or contact your service provider."
        : "The payment service is not reachable right now. Please try again in a minute.",
    );
  }

  await services.sql.transaction((sql) =>
    movePayment(sql, payment, paymentStatusFromIntent(intent), "api", {
      stripePaymentIntentId: intent.id,
      livemode: intent.livemode,
    }),
  );

  log.info({ paymentIntentId: intent.id, status: intent.status }, "PaymentIntent created");
  countPaymentCreated(services.dealer.slug);
  const created: CreatedPayment = {
    paymentId: payment.id,
    clientSecret: intent.client_secret ?? "",
    amount: payment.amount,
    currency: payment.currency,
  };
  return json(created, 201);
}

/**
 * Radar and the payer's device. The Payment Element confirms the PaymentIntent from the payer's browser, so Stripe
 * receives the payer's IP address, user agent and device signals itself with the confirmation: Stripe's
 * "preferred integration" for Radar, to which its Radar Session guide says to add nothing (`radar_options.session`
 * is for card details collected without Stripe.js). The PaymentIntents API has no field for them on an unconfirmed
 * PaymentIntent: `mandate_data.customer_acceptance.online` (ip_address, user_agent) is only accepted with
 * `confirm: true` and records the customer's acceptance of a mandate, which a card top-up confirmed in the browser
 * does not have. What the server alone knows is who asked for the payment: the address and browser that called
 * this route, kept in metadata where Radar rules read it (`::client_ip::`, `::client_user_agent::`), e.g. to review
 * payments created from one network and confirmed from another (a script testing cards).
 */
function radarMetadata(headers: Headers, trust: Services["config"]["security"]["trustedProxies"]): Record<string, string> {
  const out: Record<string, string> = {};
  const ip = clientAddress(headers, trust);
  if (ip) out.client_ip = ip;
  // Stripe keeps metadata values up to 500 characters.
  const userAgent = headers.get("user-agent")?.trim().slice(0, 500);
  if (userAgent) out.client_user_agent = userAgent;
  return out;
}

/** A Stripe call before the payment exists failed: nothing was written, so the payer may simply try again. */
function stripeRefusal(error: unknown): never {
  if (error instanceof HttpError) throw error;
  throw new HttpError(503, "stripe_unavailable", "The payment service is not reachable right now. Please try again in a minute.");
}

function readInput(request: Request): Promise<z.infer<typeof body>> {
  return readJsonBody(
    request,
    body,
    (field) =>
      field === "userId"
        ? new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id).")
        : field === "amount"
          ? new HttpError(400, "invalid_amount", "amount must be a positive whole number of the currency's smallest unit (e.g. cents).")
          : field === "receipt"
            ? new HttpError(400, "invalid_receipt", "receipt must be true or false.")
            : field === "locale"
              ? new HttpError(400, "invalid_locale", "locale must be one of the page's languages, e.g. \"en\" or \"de\".")
              : new HttpError(400, "invalid_request", "Send {\"userId\": <Navixy user id>, \"amount\": <amount in minor units>}."),
    "the payment",
  );
}
