import { expect, test } from "vitest";
import type { PaymentStatusView } from "@/lib/payments/payment-status";
import { isFinalState, resultStateOf, resultText } from "./result-state";

const view = (over: Partial<PaymentStatusView>): PaymentStatusView => ({
  paymentId: "pay_x",
  status: "succeeded",
  amount: 2500,
  currency: "eur",
  credited: false,
  creditState: "pending",
  creditedAmount: 0,
  failureMessage: null,
  ...over,
});

test("what the payer reads in each state", () => {
  const credited = view({ credited: true, creditState: "credited", creditedAmount: 2500 });
  expect(resultStateOf(credited)).toBe("credited");
  expect(resultText(credited).message).toBe("€25.00 has been added to your balance.");

  expect(resultStateOf(view({}))).toBe("processing");
  expect(resultText(view({})).message).toBe("Payment received, adding it to your balance…");

  const failed = view({ status: "failed", creditState: "not_due", failureMessage: "Your card was declined." });
  expect(resultStateOf(failed)).toBe("failed");
  expect(resultText(failed)).toMatchObject({ tone: "error", retry: true, message: "The payment did not go through: Your card was declined." });

  expect(resultStateOf(view({ creditState: "needs_attention" }))).toBe("needs_attention");
  expect(resultStateOf(view({ status: "awaiting_payment", creditState: "not_due" }))).toBe("awaiting_payment");
  expect(resultStateOf(view({ status: "authorized", creditState: "not_due" }))).toBe("authorized");
});

test("polling stops only in final states", () => {
  expect(isFinalState("credited")).toBe(true);
  expect(isFinalState("failed")).toBe(true);
  expect(isFinalState("needs_attention")).toBe(true);
  expect(isFinalState("processing")).toBe(false);
  expect(isFinalState("awaiting_payment")).toBe(false);
});

test("in the payer's language: amounts in their locale, recorded declines translated, Stripe's own words kept", async () => {
  const { translatorFor } = await import("@/lib/i18n/messages");
  const de = translatorFor("de");
  const credited = view({ credited: true, creditState: "credited", creditedAmount: 2500 });
  expect(resultText(credited, undefined, de)).toMatchObject({ title: "Guthaben aufgeladen", message: "25,00\u00a0€ wurde Ihrem Guthaben gutgeschrieben." });

  // The ledger records English; the page recognises our sentences (or the code, once the API sends it).
  const declined = view({ status: "failed", creditState: "not_due", failureMessage: "Your card was declined. Try another card or contact your bank." });
  expect(resultText(declined, undefined, de).message).toBe(
    "Die Zahlung ist nicht durchgegangen: Ihre Karte wurde abgelehnt. Versuchen Sie es mit einer anderen Karte oder wenden Sie sich an Ihre Bank.",
  );
  const byCode = { ...view({ status: "failed", creditState: "not_due", failureMessage: "Stripe said something" }), failureCode: "insufficient_funds" };
  expect(resultText(byCode, undefined, translatorFor("ru")).message).toBe(
    "Платёж не прошёл: На карте недостаточно средств. Попробуйте другую карту или меньшую сумму.",
  );
  const unknown = view({ status: "failed", creditState: "not_due", failureMessage: "Your card does not support this type of purchase." });
  expect(resultText(unknown, undefined, translatorFor("fr")).message).toBe("Le paiement n’a pas abouti : Your card does not support this type of purchase.");

  const refunded = view({ status: "refunded", creditState: "credited" });
  expect(resultText(refunded, undefined, translatorFor("ja")).message).toBe("€25.00 のこの支払いは返金されました。");
});
