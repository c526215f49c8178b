// Automatic top-up's place on the money's path (lib/payments/hooks.ts): the opt-in at checkout, and what a
// synced payment means for a rule (its enrolment payment succeeded, a top-up became final).
import { HttpError } from "../http/responses";
import type { PaymentHooks } from "../payments/hooks";
import { autoTopUpInput, prepareEnrolment, recordEnrolment, type PreparedEnrolment } from "./enrol";
import { afterPaymentSync, concernsAutoTopUp } from "./settle";

export const autoTopUpPaymentHooks: PaymentHooks = {
  syncConcerns: concernsAutoTopUp,
  afterPaymentSync,
  autoTopUp: {
    async prepare(services, { navixyUserId, currency, input }) {
      const parsed = autoTopUpInput.safeParse(input);
      if (!parsed.success) {
        throw new HttpError(400, "invalid_auto_top_up", "autoTopUp must be {amount, threshold, monthlyLimit} in minor units and the mandateText shown.");
      }
      return prepareEnrolment(services, { navixyUserId, currency, input: parsed.data });
    },
    record: (services, prepared, payment) => recordEnrolment(services, prepared as PreparedEnrolment, payment),
  },
};
