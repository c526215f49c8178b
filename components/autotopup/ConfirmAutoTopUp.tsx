"use client";
// Shown on the checkout when a bank answered an automatic top-up with "authentication required": one
// sentence and a button, nothing personal. The button asks the server for an on-session PaymentIntent on the
// saved card (POST /api/topup/confirm) and confirms it with Stripe.js, which runs the bank's challenge; the
// return page then shows the top-up, and automatic top-up resumes (lib/autotopup/settle.ts).
import { useState } from "react";
import { useStripe } from "@stripe/react-stripe-js";

const GENERIC = "The confirmation did not go through. Please try again.";

export function ConfirmAutoTopUp({ userId, returnUrl }: { userId: number; returnUrl: string }) {
  const stripe = useStripe();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    if (!stripe || busy) return;
    setBusy(true);
    setError(null);
    let started: { paymentId: string; clientSecret: string };
    try {
      const response = await fetch("/api/topup/confirm", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ userId }),
        cache: "no-store",
      });
      const body = (await response.json().catch(() => null)) as { paymentId?: unknown; clientSecret?: unknown; error?: { message?: unknown } } | null;
      if (!response.ok || typeof body?.clientSecret !== "string" || typeof body.paymentId !== "string") {
        setError(typeof body?.error?.message === "string" ? body.error.message : GENERIC);
        setBusy(false);
        return;
      }
      started = { paymentId: body.paymentId, clientSecret: body.clientSecret };
    } catch {
      setError("We could not reach the payment server. Check your connection and try again.");
      setBusy(false);
      return;
    }
    const result = await stripe.confirmCardPayment(started.clientSecret);
    if (result.error) {
      setError(result.error.message ?? GENERIC);
      setBusy(false);
      return;
    }
    const url = new URL(returnUrl);
    url.searchParams.set("payment", started.paymentId);
    url.searchParams.set("payment_intent", result.paymentIntent.id);
    window.location.assign(url.toString());
  }

  return (
    <div className="alert" role="region" aria-label="Automatic top-up" data-testid="autotopup-confirm" style={{ marginBottom: "1rem" }}>
      <p>Your bank asks you to confirm your automatic top-up.</p>
      {error && (
        <p role="alert" data-testid="autotopup-confirm-error" style={{ marginTop: "0.5rem" }}>
          {error}
        </p>
      )}
      <p className="alert-action">
        <button type="button" className="button-link" onClick={confirm} disabled={!stripe || busy} aria-busy={busy} data-testid="autotopup-confirm-button">
          {busy ? "Confirming…" : "Confirm with my bank"}
        </button>
      </p>
    </div>
  );
}
