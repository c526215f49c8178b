"use client";
// Shown on the checkout to the holder of the manage link when a bank answered an automatic top-up with
// "authentication required": one sentence and a button, nothing personal. The button asks the server for an
// on-session PaymentIntent on the saved card (POST /api/topup/confirm, with the link's token) and confirms it with
// Stripe.js, which runs the bank's challenge; the return page then shows the top-up, and automatic top-up resumes
// (lib/autotopup/settle.ts).
import { useDealerPath } from "@/components/dealer/DealerPath";
import { useState } from "react";
import { useStripe } from "@stripe/react-stripe-js";
import { useTranslator } from "@/components/i18n/I18nProvider";
import { apiErrorMessage, retryAfterSeconds } from "@/components/checkout/api-errors";
import { failureMessageKey } from "@/lib/stripe/failures";

export function ConfirmAutoTopUp({ userId, token, returnUrl }: { userId: number; token: string; returnUrl: string }) {
  const tr = useTranslator();
  const base = useDealerPath();
  const stripe = useStripe();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    if (!stripe || busy) return;
    setBusy(true);
    setError(null);
    let started: { paymentId: string; clientSecret: string };
    try {
      const response = await fetch(`${base}/api/topup/confirm`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ userId, token }),
        cache: "no-store",
      });
      const body = (await response.json().catch(() => null)) as { paymentId?: unknown; clientSecret?: unknown; error?: { code?: unknown; message?: unknown } } | null;
      if (!response.ok || typeof body?.clientSecret !== "string" || typeof body.paymentId !== "string") {
        setError(
          body?.error
            ? apiErrorMessage(body.error, tr, { retryAfterSeconds: retryAfterSeconds(response.headers.get("retry-after")) })
            : tr.t("autoTopUp.confirm.failed"),
        );
        setBusy(false);
        return;
      }
      started = { paymentId: body.paymentId, clientSecret: body.clientSecret };
    } catch {
      setError(tr.t("error.network"));
      setBusy(false);
      return;
    }
    const result = await stripe.confirmCardPayment(started.clientSecret);
    if (result.error) {
      const known = failureMessageKey(result.error.decline_code ?? result.error.code);
      setError(known ? tr.t(known) : (result.error.message ?? tr.t("autoTopUp.confirm.failed")));
      setBusy(false);
      return;
    }
    const url = new URL(returnUrl);
    url.searchParams.set("payment", started.paymentId);
    url.searchParams.set("payment_intent", result.paymentIntent.id);
    url.searchParams.set("lang", tr.locale);
    window.location.assign(url.toString());
  }

  return (
    <div className="alert" role="region" aria-label={tr.t("autoTopUp.confirm.region")} data-testid="autotopup-confirm" style={{ marginBlockEnd: "1rem" }}>
      <p>{tr.t("autoTopUp.confirm.text")}</p>
      {error && (
        <p role="alert" data-testid="autotopup-confirm-error" style={{ marginBlockStart: "0.5rem" }}>
          {error}
        </p>
      )}
      <p className="alert-action">
        <button type="button" className="button-link" onClick={confirm} disabled={!stripe || busy} aria-busy={busy} data-testid="autotopup-confirm-button">
          {busy ? tr.t("autoTopUp.confirm.busy") : tr.t("autoTopUp.confirm.button")}
        </button>
      </p>
    </div>
  );
}
