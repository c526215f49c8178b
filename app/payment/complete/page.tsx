// Stripe sends the payer back here with ?payment_intent=pi_...&redirect_status=...; we sync that
// PaymentIntent first (a lost webhook never leaves a paid payer waiting), then show and follow its state.
import type { Metadata } from "next";
import { completePayment } from "@/lib/payments/payment-status";
import { getServices } from "@/lib/server/services";
import { PaymentResult } from "@/components/payment/PaymentResult";
import { manageLinkForReturn } from "@/lib/autotopup/manage";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Payment status · Add money" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PaymentCompletePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const raw = params.payment_intent;
  const paymentIntentId = Array.isArray(raw) ? raw[0] : raw;
  const rawSecret = params.payment_intent_client_secret;

  let result: Awaited<ReturnType<typeof completePayment>>;
  try {
    result = await completePayment(getServices(), paymentIntentId);
  } catch (error) {
    console.error("Return page could not read the payment:", error instanceof Error ? error.message : error);
    return (
      <Message
        state="unavailable"
        tone="warning"
        title="We could not check your payment right now"
        text="If you paid, the money will be added to your balance automatically. Reload this page in a minute to see the status."
      />
    );
  }

  if (!result) {
    return (
      <Message
        state="not_found"
        tone="error"
        title="We could not find this payment"
        text="This link does not belong to a payment made here. If you paid, the money will be added to your balance automatically; otherwise, please start again from “Add money” in your tracking app."
      />
    );
  }

  // The payment that set up automatic top-up: its manage link (only with the client secret Stripe's redirect carries).
  const autoTopUp = await manageLinkForReturn(getServices(), paymentIntentId, Array.isArray(rawSecret) ? rawSecret[0] : rawSecret).catch(() => null);

  return <PaymentResult initial={result.view} retryPath={result.retryPath} autoTopUp={autoTopUp} />;
}

function Message({ state, tone, title, text }: { state: string; tone: "warning" | "error"; title: string; text: string }) {
  return (
    <div className="result" data-tone={tone} data-testid="payment-status" data-state={state}>
      <span className="result-icon" aria-hidden="true">
        !
      </span>
      <h1>{title}</h1>
      <p>{text}</p>
    </div>
  );
}
