"use client";
// The checkout: choose an amount, enter payment details in Stripe's Payment Element (deferred-intent
// mode: no PaymentIntent exists until Pay is pressed), then create the payment on our server and
// confirm it with Stripe, which redirects to /payment/complete.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import type { Appearance, Stripe, StripeElementsOptions, StripeError } from "@stripe/stripe-js";
import type { CheckoutProps } from "@/lib/checkout/load-checkout";
import { checkAmount, checkAmountInput, money, rangeText, type AmountCheck } from "./amount";
import { apiErrorMessage, retryAfterSeconds } from "./api-errors";
import { getStripe } from "./stripe";
import { AutoTopUpOptIn } from "@/components/autotopup/AutoTopUpOptIn";
import { ConfirmAutoTopUp } from "@/components/autotopup/ConfirmAutoTopUp";
import { ReceiptOptIn } from "./ReceiptOptIn";
import { checkOptIn, initialOptIn, optInPayload, type OptInCheck, type OptInState } from "@/components/autotopup/opt-in";
import { forgetManageToken, recallManageToken, rememberManageToken, takeConfirmFragment } from "@/components/autotopup/manage-token";
import { MANAGE_TOKEN_HEADER } from "@/lib/autotopup/checkout-proof";
import { useTranslator } from "@/components/i18n/I18nProvider";
import { useBrandAccent, useDealerName, type BrandAccent } from "@/components/branding/BrandProvider";
import { useDealerPath } from "@/components/dealer/DealerPath";
import { stripeLocale } from "@/lib/i18n/locales";
import { failureMessageKey } from "@/lib/stripe/failures";
import { registerMoneyTemplate, type MoneyTemplate } from "@/lib/money";
/** How long the form may take to appear before the payer is told something is wrong. */
const LOAD_TIMEOUT_MS = 30_000;

type Selection = { kind: "preset"; amount: number } | { kind: "custom" };

/** What GET /api/topup/checkout said: offer the opt-in, ask for a bank confirmation (with the manage link's token). */
interface AutoTopUpStatus {
  offer: boolean;
  needsConfirmation: boolean;
  /** The manage link's token this browser holds for this user, when the server accepted it. */
  token: string | null;
}

/**
 * Automatic top-up (lib/autotopup): whether to offer it here, and whether the payer's bank wants a confirmation.
 * Only the manage link's holder learns anything about the user's rule: the token comes from the manage page's
 * button (`#confirm=<token>`) or from this browser's enrolment (components/autotopup/manage-token.ts).
 */
function useAutoTopUpStatus(userId: number): AutoTopUpStatus | null {
  const base = useDealerPath();
  const [status, setStatus] = useState<AutoTopUpStatus | null>(null);
  useEffect(() => {
    let active = true;
    const fromLink = takeConfirmFragment();
    if (fromLink) rememberManageToken(base, userId, fromLink);
    const token = fromLink ?? recallManageToken(base, userId);
    fetch(`${base}/api/topup/checkout?userId=${encodeURIComponent(String(userId))}`, {
      cache: "no-store",
      headers: { accept: "application/json", ...(token ? { [MANAGE_TOKEN_HEADER]: token } : {}) },
    })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: unknown) => {
        const b = body as (Partial<AutoTopUpStatus> & { link?: unknown }) | null;
        if (!active || !b || typeof b.offer !== "boolean" || typeof b.needsConfirmation !== "boolean") return;
        if (token && b.link === "invalid") forgetManageToken(base, userId);
        setStatus({ offer: b.offer, needsConfirmation: b.needsConfirmation, token: token && b.link === "valid" ? token : null });
      })
      .catch(() => {
        // Not offered: the checkout itself works without it.
      });
    return () => {
      active = false;
    };
  }, [base, userId]);
  return status;
}

export function Checkout({ checkout, money: template }: { checkout: CheckoutProps; money?: MoneyTemplate }) {
  // Before any amount is written: the page's currency in its language, as the server wrote it.
  registerMoneyTemplate(template);
  const tr = useTranslator();
  const { limits } = checkout;
  const [selection, setSelection] = useState<Selection>(() => {
    const first = limits.presets[0];
    return first !== undefined ? { kind: "preset", amount: first } : { kind: "custom" };
  });
  const [customText, setCustomText] = useState("");
  const check: AmountCheck = selection.kind === "preset" ? checkAmount(selection.amount, limits, tr) : checkAmountInput(customText, limits, tr);

  // The Payment Element needs an amount at all times; while the typed one is invalid it keeps the last valid one.
  const [elementsAmount, setElementsAmount] = useState<number>(check.amount ?? limits.presets[0] ?? limits.min);
  useEffect(() => {
    if (check.amount !== null) setElementsAmount(check.amount);
  }, [check.amount]);

  const [stripePromise, setStripePromise] = useState<Promise<Stripe | null> | null>(null);
  const [stripeFailed, setStripeFailed] = useState(false);
  useEffect(() => {
    let active = true;
    const load = getStripe(checkout.publishableKey);
    setStripePromise(load.safe);
    load.raw.then(
      (stripe) => {
        if (!stripe && active) setStripeFailed(true);
      },
      () => {
        if (active) setStripeFailed(true);
      },
    );
    return () => {
      active = false;
    };
  }, [checkout.publishableKey]);

  const autoTopUp = useAutoTopUpStatus(checkout.userId);
  const [optIn, setOptIn] = useState<OptInState>(() => initialOptIn(limits));
  const optInOn = autoTopUp?.offer === true && optIn.on;

  const dark = usePrefersDark();
  const accent = useBrandAccent();
  const options = useMemo<StripeElementsOptions>(
    () => ({
      mode: "payment",
      amount: elementsAmount,
      currency: checkout.currency.toLowerCase(),
      captureMethod: checkout.captureManual ? "manual" : "automatic",
      // Automatic top-up saves the card for off-session use: the PaymentIntent says so, the Element must match.
      ...(autoTopUp?.offer ? { setupFutureUsage: optInOn ? ("off_session" as const) : null } : {}),
      appearance: appearanceFor(dark, accent),
      // Stripe's own words in the payer's language where Stripe has it, else Stripe follows the browser.
      locale: stripeLocale(tr.locale),
    }),
    [elementsAmount, checkout.currency, checkout.captureManual, dark, accent, autoTopUp?.offer, optInOn, tr.locale],
  );

  return (
    <Elements stripe={stripePromise} options={options}>
      <PaymentForm
        checkout={checkout}
        selection={selection}
        onSelect={setSelection}
        customText={customText}
        onCustomText={setCustomText}
        check={check}
        stripeFailed={stripeFailed}
        autoTopUp={autoTopUp}
        optIn={optIn}
        onOptIn={setOptIn}
      />
    </Elements>
  );
}

interface PaymentFormProps {
  checkout: CheckoutProps;
  selection: Selection;
  onSelect: (s: Selection) => void;
  customText: string;
  onCustomText: (text: string) => void;
  check: AmountCheck;
  stripeFailed: boolean;
  autoTopUp: AutoTopUpStatus | null;
  optIn: OptInState;
  onOptIn: (next: OptInState) => void;
}

/** A PaymentIntent created for this page, reused while the amount stays the same. */
interface CreatedIntent {
  paymentId: string;
  clientSecret: string;
  amount: number;
  /** The automatic top-up terms sent with it (JSON), or "" without. */
  autoTopUpKey: string;
  /** Whether it was created with a receipt by e-mail. */
  receipt: boolean;
}

function PaymentForm({ checkout, selection, onSelect, customText, onCustomText, check, stripeFailed, autoTopUp, optIn, onOptIn }: PaymentFormProps) {
  const tr = useTranslator();
  const base = useDealerPath();
  const stripe = useStripe();
  const elements = useElements();
  const { limits, currency } = checkout;
  const ids = useId();
  const customId = `${ids}-custom`;
  const customHintId = `${ids}-custom-hint`;
  const customErrorId = `${ids}-custom-error`;

  const [ready, setReady] = useState(false);
  const [elementFailed, setElementFailed] = useState(false);
  const [slow, setSlow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [customTouched, setCustomTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [receipt, setReceipt] = useState(false);

  const busyRef = useRef(false);
  const intentRef = useRef<CreatedIntent | null>(null);
  const customRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (ready) return;
    const timer = setTimeout(() => setSlow(true), LOAD_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [ready]);

  const loadFailed = stripeFailed || elementFailed || (slow && !ready);
  const canPay = ready && !loadFailed && stripe !== null && elements !== null;

  // Move focus to a new form error so keyboard and screen-reader users meet it at once.
  useEffect(() => {
    if (formError) errorRef.current?.focus();
  }, [formError]);

  const showAmountError = selection.kind === "custom" && check.error !== null && (customTouched || submitted);
  const optInOn = autoTopUp?.offer === true && optIn.on;
  const dealerName = useDealerName();
  const optInCheck: OptInCheck = checkOptIn(optIn, limits, tr, dealerName);
  const fail = useCallback((message: string) => {
    setFormError(message);
    busyRef.current = false;
    setBusy(false);
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busyRef.current) return; // a second click or Enter while working
    setSubmitted(true);
    if (check.amount === null) {
      customRef.current?.focus();
      return;
    }
    if (!stripe || !elements || !canPay) return;
    const amount = check.amount;
    const autoTopUpTerms = optInOn ? optInPayload(optInCheck) : null;
    if (optInOn && !autoTopUpTerms) {
      setFormError(optInCheck.error);
      return;
    }
    const autoTopUpKey = autoTopUpTerms ? JSON.stringify(autoTopUpTerms) : "";
    busyRef.current = true;
    setBusy(true);
    setFormError(null);

    const { error: submitError } = await elements.submit();
    if (submitError) {
      // The Payment Element marks the field itself; say it once more where it is announced.
      fail(submitError.message ?? tr.t("checkout.checkDetails"));
      return;
    }

    let intent = intentRef.current;
    if (!intent || intent.amount !== amount || intent.autoTopUpKey !== autoTopUpKey || intent.receipt !== receipt) {
      const created = await createPayment(base, checkout.userId, amount, autoTopUpTerms, { receipt, locale: tr.locale });
      if ("error" in created) {
        fail(created.error ? apiErrorMessage(created.error, tr, { amount, limits, retryAfterSeconds: created.retryAfterSeconds }) : tr.t("error.network"));
        return;
      }
      intent = { ...created, autoTopUpKey, receipt };
      intentRef.current = intent;
    }

    const returnUrl = new URL(checkout.returnUrl);
    returnUrl.searchParams.set("payment", intent.paymentId);
    // The return page speaks the language the payer paid in.
    returnUrl.searchParams.set("lang", tr.locale);
    const { error } = await stripe.confirmPayment({
      elements,
      clientSecret: intent.clientSecret,
      confirmParams: { return_url: returnUrl.toString() },
    });
    if (!error) return; // Stripe is taking the browser to the return page: stay busy.
    handleConfirmError(error, intent, returnUrl);
  }

  function handleConfirmError(error: StripeError, intent: CreatedIntent, returnUrl: URL) {
    const pi = error.payment_intent;
    if (pi && (pi.status === "succeeded" || pi.status === "processing" || pi.status === "requires_capture")) {
      // Already paid (e.g. confirmed in another tab): the return page shows what happened.
      returnUrl.searchParams.set("payment_intent", pi.id);
      window.location.assign(returnUrl.toString());
      return;
    }
    if (error.code === "payment_intent_unexpected_state" || pi?.status === "canceled") {
      intentRef.current = null; // the next attempt starts a new payment
    } else {
      intentRef.current = intent; // a declined card: retry the same payment
    }
    // Our words for the declines we know, in the payer's language; else Stripe's own (Stripe.js writes them in the
    // Payment Element's locale).
    const known = failureMessageKey(error.decline_code ?? error.code);
    fail(known ? tr.t(known) : (error.message ?? tr.t("decline.default")));
  }

  const payLabel = check.amount !== null ? tr.t("checkout.payAmount", { amount: money(check.amount, currency, tr) }) : tr.t("checkout.pay");

  return (
    <form className="checkout" onSubmit={onSubmit} noValidate data-testid="checkout-form">
      {autoTopUp?.needsConfirmation && autoTopUp.token && !loadFailed && (
        <ConfirmAutoTopUp userId={checkout.userId} token={autoTopUp.token} returnUrl={checkout.returnUrl} />
      )}
      <fieldset className="fieldset" disabled={busy}>
        <legend className="legend">{tr.t("checkout.amount")}</legend>
        {limits.presets.length > 0 && (
          <div className="presets" data-testid="amount-presets">
            {limits.presets.map((amount) => {
              const selected = selection.kind === "preset" && selection.amount === amount;
              return (
                <button
                  key={amount}
                  type="button"
                  className="preset"
                  aria-pressed={selected}
                  onClick={() => {
                    onSelect({ kind: "preset", amount });
                    setFormError(null);
                  }}
                >
                  {money(amount, currency, tr)}
                </button>
              );
            })}
          </div>
        )}
        <div className="field">
          <label className="label" htmlFor={customId}>
            {limits.presets.length > 0 ? tr.t("checkout.otherAmount") : tr.t("checkout.amount")}
            <span className="hint" id={customHintId}>
              {rangeText(limits, tr)}
            </span>
          </label>
          <div
            className="input-wrap"
            data-invalid={showAmountError ? "true" : undefined}
            data-selected={selection.kind === "custom" ? "true" : undefined}
          >
            <input
              ref={customRef}
              id={customId}
              className="input"
              type="text"
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              enterKeyHint="done"
              data-testid="custom-amount"
              value={customText}
              aria-invalid={showAmountError}
              aria-describedby={showAmountError ? `${customHintId} ${customErrorId}` : customHintId}
              onFocus={() => {
                // Back to an amount typed earlier: it is the one to pay again.
                if (selection.kind !== "custom" && customText.trim() !== "") onSelect({ kind: "custom" });
              }}
              onChange={(e) => {
                onCustomText(e.target.value);
                onSelect({ kind: "custom" });
                setFormError(null);
              }}
              onBlur={() => {
                if (selection.kind === "custom" && customText.trim() !== "") setCustomTouched(true);
              }}
            />
            <span className="input-suffix" aria-hidden="true">
              {currency.toUpperCase()}
            </span>
          </div>
          <p className="field-error" id={customErrorId} aria-live="polite" data-testid="amount-error">
            {showAmountError ? check.error : ""}
          </p>
        </div>
      </fieldset>

      <div>
        <p className="legend" id={`${ids}-payment-legend`}>
          {tr.t("checkout.paymentDetails")}
        </p>
        {loadFailed ? (
          <div className="alert" role="alert" data-testid="stripe-load-error">
            <p>{tr.t("checkout.loadError")}</p>
            <p className="alert-action">
              <button type="button" className="link-button" onClick={() => window.location.reload()}>
                {tr.t("checkout.reload")}
              </button>
            </p>
          </div>
        ) : (
          <div className="element-box" data-loading={ready ? undefined : "true"} aria-labelledby={`${ids}-payment-legend`} role="group">
            <PaymentElement
              onReady={() => {
                setReady(true);
                setSlow(false);
              }}
              onLoadError={(event) => {
                console.error("The Payment Element could not be loaded:", event.error?.message);
                setElementFailed(true);
              }}
            />
            {!ready && (
              <div className="skeleton" data-testid="payment-skeleton" aria-hidden="true">
                <div className="skeleton-line short" />
                <div className="skeleton-line" />
                <div className="skeleton-row">
                  <div className="skeleton-line" />
                  <div className="skeleton-line" />
                </div>
                <div className="skeleton-line" />
              </div>
            )}
          </div>
        )}
        <p className="visually-hidden" role="status">
          {loadFailed ? "" : ready ? "" : tr.t("checkout.loading")}
        </p>
      </div>

      {checkout.maskedReceiptEmail && (
        <fieldset className="fieldset" disabled={busy}>
          <ReceiptOptIn maskedEmail={checkout.maskedReceiptEmail} checked={receipt} onChange={setReceipt} />
        </fieldset>
      )}

      {autoTopUp?.offer && (
        <fieldset className="fieldset" disabled={busy}>
          <AutoTopUpOptIn state={optIn} check={optInCheck} limits={limits} onChange={onOptIn} showError={submitted} />
        </fieldset>
      )}

      {formError && (
        <div className="alert" role="alert" tabIndex={-1} ref={errorRef} data-testid="form-error">
          <p>{formError}</p>
        </div>
      )}

      <button type="submit" className="pay" disabled={!canPay || busy} aria-busy={busy} data-testid="pay-button">
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" />
            {tr.t("checkout.processing")}
          </>
        ) : (
          payLabel
        )}
      </button>
      {/* Announced while paying: nothing around it is aria-busy, which would let screen readers hold it back. */}
      <p className="visually-hidden" role="status">
        {busy ? tr.t("checkout.processingStatus") : ""}
      </p>
      {checkout.captureManual && (
        <p className="fineprint">{tr.t("checkout.manualCapture")}</p>
      )}
    </form>
  );
}

/** What POST /api/payments refused with (null: the server could not be reached). */
interface CreateFailure {
  error: { code?: unknown; message?: unknown } | null;
  retryAfterSeconds: number | null;
}

/** POST /api/payments: our payment and its PaymentIntent, or why not (worded for the payer by apiErrorMessage). */
async function createPayment(
  base: string,
  userId: number,
  amount: number,
  autoTopUp: ReturnType<typeof optInPayload>,
  options: { receipt: boolean; locale: string },
): Promise<Omit<CreatedIntent, "autoTopUpKey" | "receipt"> | CreateFailure> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/payments`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      // The page's language goes along: Stripe writes the receipt in it.
      body: JSON.stringify({ userId, amount, ...(autoTopUp ? { autoTopUp } : {}), ...(options.receipt ? { receipt: true } : {}), locale: options.locale }),
      cache: "no-store",
    });
  } catch {
    return { error: null, retryAfterSeconds: null };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy's error page): fall through to the generic message
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return { error: error ?? {}, retryAfterSeconds: retryAfterSeconds(response.headers.get("retry-after")) };
  }
  const created = body as Partial<CreatedIntent> | null;
  if (!created || typeof created.paymentId !== "string" || typeof created.clientSecret !== "string" || !created.clientSecret) {
    return { error: {}, retryAfterSeconds: null };
  }
  return { paymentId: created.paymentId, clientSecret: created.clientSecret, amount };
}

function usePrefersDark(): boolean {
  const [dark, setDark] = useState(false);
  useEffect(() => {
    const query = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (!query) return;
    setDark(query.matches);
    const onChange = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return dark;
}

// Keep in step with app/globals.css.
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

/** The Payment Element in the page's colours: the dealer's accent (already readable, lib/branding) or ours. */
function appearanceFor(dark: boolean, accent: BrandAccent | null): Appearance {
  return {
    theme: dark ? "night" : "stripe",
    variables: {
      colorPrimary: accent ? (dark ? accent.dark : accent.light) : dark ? "#6ea2ff" : "#1d5fd1",
      colorBackground: dark ? "#17202b" : "#ffffff",
      colorText: dark ? "#e8edf3" : "#14202e",
      colorDanger: dark ? "#ff8a80" : "#b42318",
      fontFamily: FONT,
      borderRadius: "8px",
    },
  };
}
