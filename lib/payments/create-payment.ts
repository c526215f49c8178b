// POST /api/payments: the payer chose an amount and pressed Pay. The ledger row comes first, then the
// PaymentIntent, created with an idempotency key derived from our payment id so a retried request can
// never create a second PaymentIntent for one payment.
import { z } from "zod";
import { transaction } from "../db/client";
import type { Services } from "../server/services";
import { HttpError, json } from "../http/responses";
import { readJsonBody } from "../http/json-body";
import { asNavixyUserId, newId } from "../ids";
import { createPaymentRecord, movePayment } from "./ledger/payment-records";
import { amountLimits, amountProblem } from "./limits";
import { loadNavixyUser } from "./navixy-user";
import { paymentStatusFromIntent } from "./ledger/states";
import { paymentLogger, requestLogger } from "../logging/logger";
import { enforcePaymentsPerIp, enforcePaymentsPerUser } from "../security/rate-limit";

const body = z.object({
  userId: z.number().int().positive().max(2_147_483_647).transform(asNavixyUserId),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The payer opted in to automatic top-up: checked by the feature that takes it (services.hooks.autoTopUp). */
  autoTopUp: z.unknown().optional(),
});

export interface CreatedPayment {
  paymentId: string;
  clientSecret: string;
  amount: number;
  currency: string;
}

/** What creating a payment needs: the Navixy user and dealer currency, the ledger, Stripe, and the opt-ins. */
export type CreatePaymentDeps = Pick<Services, "config" | "currency" | "db" | "hooks" | "navixy" | "stripe">;

export async function createPayment(services: CreatePaymentDeps, request: Request): Promise<Response> {
  // Card-testing defence: counted before anything is parsed or anyone is called (limits shared by all instances).
  await enforcePaymentsPerIp(services.db, services.config.security.paymentsPerIp, request.headers);
  const input = await readInput(request);
  await enforcePaymentsPerUser(services.db, services.config.security.paymentsPerUser, input.userId);
  const user = await loadNavixyUser(services, input.userId);
  const currency = await services.currency.get().catch(() => {
    throw new HttpError(503, "navixy_unavailable", "We cannot reach the balance service right now. Please try again in a minute.");
  });
  const limits = amountLimits(services.config.payments, currency);
  const problem = amountProblem(input.amount, limits);
  if (problem) throw new HttpError(400, "amount_out_of_range", problem);
  const optIn = input.autoTopUp === undefined ? undefined : services.hooks.autoTopUp;
  if (input.autoTopUp !== undefined && !optIn) throw new HttpError(400, "auto_top_up_unavailable", "Automatic top-up is not available here.");
  const enrolment = optIn ? await optIn.prepare(services, { navixyUserId: user.id, currency, input: input.autoTopUp }) : null;

  const { config, db, stripe } = services;
  const payment = await createPaymentRecord(db, {
    id: newId("pay"),
    navixyUserId: user.id,
    amount: input.amount,
    currency: currency.toLowerCase(),
    captureMethod: config.payments.capture,
    livemode: config.stripe.livemode,
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
        metadata: { navixy_user_id: String(user.id), payment_id: payment.id, ...autoTopUp?.metadata },
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

  await transaction(db, (tx) =>
    movePayment(tx, payment, paymentStatusFromIntent(intent), "api", {
      stripePaymentIntentId: intent.id,
      livemode: intent.livemode,
    }),
  );

  log.info({ paymentIntentId: intent.id, status: intent.status }, "PaymentIntent created");
  const created: CreatedPayment = {
    paymentId: payment.id,
    clientSecret: intent.client_secret ?? "",
    amount: payment.amount,
    currency: payment.currency,
  };
  return json(created, 201);
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
          : new HttpError(400, "invalid_request", "Send {\"userId\": <Navixy user id>, \"amount\": <amount in minor units>}."),
    "the payment",
  );
}
