"use client";
// "Top up automatically": a checkbox with the terms in its label, the three amounts, and the exact mandate
// text the payer agrees to (sent with the payment and stored with the rule).
import { useId } from "react";
import type { AmountLimits } from "@/lib/payments/limits";
import { optInLabel, termMoney } from "@/lib/autotopup/terms";
import type { OptInCheck, OptInState } from "./opt-in";
import { useTranslator } from "@/components/i18n/I18nProvider";

interface Props {
  state: OptInState;
  check: OptInCheck;
  limits: AmountLimits;
  onChange: (next: OptInState) => void;
  showError: boolean;
}

export function AutoTopUpOptIn({ state, check, limits, onChange, showError }: Props) {
  const tr = useTranslator();
  const ids = useId();
  const cur = limits.currency.toUpperCase();
  const label = check.terms
    ? optInLabel(check.terms, limits.currency, tr)
    : tr.t("autoTopUp.label", { amount: `${state.amount} ${cur}`, threshold: `${state.threshold} ${cur}`, limit: `${state.limit} ${cur}` });
  const field = (key: "amount" | "threshold" | "limit", text: string, hint: string) => (
    <div className="field" style={{ marginTop: 0 }}>
      <label className="label" htmlFor={`${ids}-${key}`}>
        {text}
        <span className="hint">{hint}</span>
      </label>
      <div className="input-wrap" data-invalid={showError && check.error ? "true" : undefined}>
        <input
          id={`${ids}-${key}`}
          className="input"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          data-testid={`autotopup-${key}`}
          value={state[key]}
          aria-describedby={`${ids}-error`}
          onChange={(e) => onChange({ ...state, [key]: e.target.value })}
        />
        <span className="input-suffix" aria-hidden="true">
          {cur}
        </span>
      </div>
    </div>
  );
  return (
    <div className="field" data-testid="autotopup-optin">
      <label style={{ display: "flex", gap: "0.625rem", alignItems: "flex-start", cursor: "pointer" }}>
        <input
          type="checkbox"
          checked={state.on}
          data-testid="autotopup-checkbox"
          style={{ width: "1.125rem", height: "1.125rem", marginTop: "0.2rem", flex: "none" }}
          onChange={(e) => onChange({ ...state, on: e.target.checked })}
        />
        <span data-testid="autotopup-label">{label}</span>
      </label>
      {state.on && (
        <div style={{ display: "grid", gap: "0.75rem", paddingInlineStart: "1.75rem" }}>
          {field("amount", tr.t("autoTopUp.add"), tr.t("autoTopUp.addHint", { min: termMoney(limits.min, limits.currency, tr), max: termMoney(limits.max, limits.currency, tr) }))}
          {field("threshold", tr.t("autoTopUp.threshold"), tr.t("autoTopUp.thresholdHint"))}
          {field("limit", tr.t("autoTopUp.limit"), tr.t("autoTopUp.limitHint"))}
          <p className="field-error" id={`${ids}-error`} aria-live="polite" data-testid="autotopup-error">
            {showError && check.error ? check.error : ""}
          </p>
          {check.mandate && (
            <p className="muted" style={{ fontSize: "0.8125rem", margin: 0 }} data-testid="autotopup-mandate">
              {check.mandate}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
