"use client";
// The return page's status: shows what the server knew at render time, then polls
// GET /api/payments/<id> until the payment reaches a final state (or ~3 minutes pass).
import { useDealerPath } from "@/components/dealer/DealerPath";
import { useEffect, useRef, useState } from "react";
import type { PaymentStatusView } from "@/lib/payments/payment-status";
import { formatMoney, registerMoneyTemplate, type MoneyTemplate } from "@/lib/money";
import { isFinalState, isPaymentStatusView, resultStateOf, resultText } from "./result-state";
import { ManageLink } from "@/components/autotopup/ManageLink";
import { useTranslator } from "@/components/i18n/I18nProvider";
import { paymentReference } from "@/lib/payments/reference";

const FIRST_DELAY_MS = 1_500;
const MAX_DELAY_MS = 5_000;
/** Polls at the first delay before backing off. */
const FAST_POLLS = 8;
const BACKOFF = 1.3;
const GIVE_UP_AFTER_MS = 3 * 60_000;

export function PaymentResult({
  initial,
  retryPath,
  autoTopUp = null,
  back = null,
  money: template,
}: {
  initial: PaymentStatusView;
  retryPath: string;
  /** The payment set up automatic top-up: its signed manage link. */
  autoTopUp?: { url: string; state: string; userId: number; token: string } | null;
  /** The dealer's tracking app (its Navixy domain), and the dealer's name when known. */
  back?: { url: string; name: string | null } | null;
  /** The payment's currency in the page's language, as the server writes it. */
  money?: MoneyTemplate;
}) {
  registerMoneyTemplate(template);
  const tr = useTranslator();
  const base = useDealerPath();
  const [view, setView] = useState(initial);
  const [timedOut, setTimedOut] = useState(false);
  const [round, setRound] = useState(0);
  const state = resultStateOf(view);
  const final = isFinalState(state);
  const text = resultText(view, state, tr);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstState = useRef(state);

  useEffect(() => {
    if (final) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    let polls = 0;
    let delay = FIRST_DELAY_MS;

    const poll = async () => {
      polls += 1;
      try {
        const response = await fetch(`${base}/api/payments/${encodeURIComponent(initial.paymentId)}`, {
          cache: "no-store",
          headers: { accept: "application/json" },
        });
        if (cancelled) return;
        if (response.ok) {
          const next: unknown = await response.json();
          if (cancelled) return;
          if (isPaymentStatusView(next)) {
            setView(next);
            if (isFinalState(resultStateOf(next))) return;
          }
        } else if (response.status === 404) {
          return; // nothing more to learn; keep what is shown
        }
      } catch {
        // offline for a moment: try again after the delay
      }
      if (cancelled) return;
      if (Date.now() - started >= GIVE_UP_AFTER_MS) {
        setTimedOut(true);
        return;
      }
      if (polls >= FAST_POLLS) delay = Math.min(MAX_DELAY_MS, Math.round(delay * BACKOFF));
      timer = setTimeout(poll, delay);
    };

    timer = setTimeout(poll, delay);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [base, final, initial.paymentId, round]);

  // Arriving from Stripe's redirect, the outcome has the focus (not the page's body), so it is read first.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  // When the outcome changes while the payer waits, bring it to their attention.
  useEffect(() => {
    if (state !== firstState.current && isFinalState(state)) headingRef.current?.focus();
  }, [state]);

  const reference = paymentReference(view.paymentId);
  // The sentence around the reference, with the reference itself kept apart (left to right, in bold).
  const [beforeReference = "", afterReference = ""] = tr.t("result.reference", { reference: "\u0000" }).split("\u0000");

  return (
    <div
      className="result"
      data-tone={text.tone}
      data-testid="payment-status"
      data-state={state}
      data-status={view.status}
      data-credit-state={view.creditState}
    >
      <span className="result-icon" aria-hidden="true">
        {ICON[text.tone]}
      </span>
      <div className="result-text" role="status" aria-live="polite" aria-atomic="true">
        <h1 ref={headingRef} tabIndex={-1}>
          {text.title}
        </h1>
        <p data-testid="payment-message">{text.message}</p>
      </div>
      <div className="result-details">
        <p className="amount-line" data-testid="payment-amount">
          {tr.t("result.amount", { amount: formatMoney(view.amount, view.currency, tr.locale) })}
        </p>
        <p className="reference-line" data-testid="payment-reference">
          {beforeReference}
          <bdi className="reference" data-testid="payment-reference-value">
            {reference}
          </bdi>
          {afterReference}
        </p>
        <p className="muted reference-hint">{tr.t("result.referenceHint")}</p>
      </div>
      {!final && (
        // On the page while it polls, so that "taking longer than usual" (and "checking" again) is read out.
        <div role="status" data-testid="payment-progress">
          {timedOut ? (
            <p data-testid="payment-slow">{tr.t("result.slow")}</p>
          ) : (
            <p className="muted checking">
              <span className="spinner" aria-hidden="true" />
              {tr.t("result.checking")}
            </p>
          )}
        </div>
      )}
      {!final && timedOut && (
        <button
          type="button"
          className="button-link button-secondary"
          onClick={() => {
            setTimedOut(false);
            setRound((r) => r + 1);
          }}
        >
          {tr.t("result.checkAgain")}
        </button>
      )}
      {autoTopUp && text.tone !== "error" && <ManageLink url={autoTopUp.url} state={autoTopUp.state} userId={autoTopUp.userId} token={autoTopUp.token} />}
      {final && state === "credited" && <p>{tr.t("result.canClose")}</p>}
      {text.retry && (
        // A full page load: the checkout's proxy must run for the fresh checkout.
        <a className="button-link" href={retryPath} data-testid="retry-link">
          {tr.t("result.tryAgain")}
        </a>
      )}
      {back && (
        <a className={text.retry ? "back-link" : "button-link"} href={back.url} data-testid="back-to-app">
          {back.name ? tr.t("result.backTo", { dealer: back.name }) : tr.t("result.back")}
        </a>
      )}
    </div>
  );
}

const ICON: Record<"success" | "progress" | "warning" | "error", string> = {
  success: "✓",
  progress: "…",
  warning: "!",
  error: "✕",
};
