// The action forms, shared by the payment page and the attention list. Plain HTML forms posting to
// /admin/actions/<name> with the session's CSRF token: keyboard and screen-reader usable, no script. A form that
// was just refused is shown again with what was typed (`typed`, lib/admin/console-flash.ts).
import { randomBytes } from "node:crypto";
import type { TypedForm } from "@/lib/admin/console-flash";
import { toMajorString } from "@/lib/money";
import { FormBasics } from "./CsrfField";

interface Base {
  csrf: string;
  back: string;
  /** What was typed into this form when it was refused. */
  typed?: TypedForm;
}

export function RetryForm({ csrf, back, movementId }: Base & { movementId: string }) {
  return (
    <form method="post" action="/admin/actions/retry">
      <FormBasics csrf={csrf} back={back} />
      <input type="hidden" name="movementId" value={movementId} />
      <button type="submit" className="btn" data-testid={`retry-${movementId}`}>
        Retry
      </button>
    </form>
  );
}

export function ResolveForm({ csrf, back, movementId, typed }: Base & { movementId: string }) {
  const id = `resolve-${movementId}`;
  const v = typed?.values ?? {};
  return (
    <details open={typed ? true : undefined}>
      <summary>Resolve by hand…</summary>
      <form method="post" action="/admin/actions/resolve" aria-labelledby={`${id}-legend`} data-testid={id}>
        <FormBasics csrf={csrf} back={back} />
        <input type="hidden" name="movementId" value={movementId} />
        <fieldset style={{ border: 0, padding: 0, margin: "0.5rem 0" }}>
          <legend id={`${id}-legend`}>Was the balance changed by hand in Navixy?</legend>
          <label style={{ display: "block" }}>
            <input type="radio" name="applied" value="yes" required defaultChecked={v.applied === "yes"} /> Yes, I made this change in Navixy myself (mark it
            applied)
          </label>
          <label style={{ display: "block" }}>
            <input type="radio" name="applied" value="no" defaultChecked={v.applied === "no"} /> No, it is no longer owed (cancel it)
          </label>
        </fieldset>
        <div className="admin-field">
          <label htmlFor={`${id}-comment`}>Comment (required)</label>
          <textarea id={`${id}-comment`} name="comment" required minLength={3} maxLength={500} defaultValue={v.comment ?? ""} />
        </div>
        <p>
          <button type="submit" className="btn btn-secondary">
            Mark resolved
          </button>
        </p>
      </form>
    </details>
  );
}

export function RefundForm({ csrf, back, paymentId, refundable, currency, typed }: Base & { paymentId: string; refundable: number; currency: string }) {
  const v = typed?.values ?? {};
  // The same nonce after a failure whose outcome is unknown: sent again, it is the same Stripe refund, never a second.
  const nonce = v.nonce && /^[A-Za-z0-9_-]{8,64}$/.test(v.nonce) ? v.nonce : randomBytes(12).toString("base64url");
  return (
    <form method="post" action="/admin/actions/refund" className="panel" aria-labelledby="refund-heading" data-testid="refund-form">
      <h3 id="refund-heading" style={{ marginTop: 0 }}>
        Refund
      </h3>
      <FormBasics csrf={csrf} back={back} />
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="nonce" value={nonce} />
      <div className="admin-field">
        <label htmlFor="refund-amount">
          Amount in {currency.toUpperCase()} (empty = all that is left, {toMajorString(refundable, currency)})
        </label>
        <input
          id="refund-amount"
          name="amount"
          type="text"
          inputMode="decimal"
          placeholder={toMajorString(refundable, currency)}
          defaultValue={v.amount ?? ""}
          aria-describedby="refund-amount-hint"
        />
        <small id="refund-amount-hint" className="muted">
          A decimal point or comma: 12.50 or 12,50.
        </small>
      </div>
      <div className="admin-field">
        <label htmlFor="refund-comment">Comment (optional)</label>
        <input id="refund-comment" name="comment" type="text" maxLength={500} defaultValue={v.comment ?? ""} />
      </div>
      <p>
        <label>
          <input type="checkbox" name="confirm" value="yes" required defaultChecked={v.confirm === "yes"} /> Refund the payer through Stripe and debit their Navixy
          balance
        </label>
      </p>
      <button type="submit" className="btn btn-danger">
        Refund
      </button>
    </form>
  );
}

export function AuthorizationForms({ csrf, back, paymentId, capturable, currency, typed }: Base & { paymentId: string; capturable: number; currency: string }) {
  return (
    <div className="panel" data-testid="authorization-forms">
      <h3 style={{ marginTop: 0 }}>Authorization</h3>
      <form method="post" action="/admin/actions/capture" className="actions-row">
        <FormBasics csrf={csrf} back={back} />
        <input type="hidden" name="paymentId" value={paymentId} />
        <div className="admin-field">
          <label htmlFor={`capture-${paymentId}`}>Capture amount ({currency.toUpperCase()}, empty = all)</label>
          <input
            id={`capture-${paymentId}`}
            name="amount"
            type="text"
            inputMode="decimal"
            placeholder={toMajorString(capturable, currency)}
            defaultValue={typed?.values.amount ?? ""}
          />
        </div>
        <button type="submit" className="btn">
          Capture
        </button>
      </form>
      <form method="post" action="/admin/actions/release" style={{ marginTop: "0.5rem" }}>
        <FormBasics csrf={csrf} back={back} />
        <input type="hidden" name="paymentId" value={paymentId} />
        <button type="submit" className="btn btn-danger">
          Release (cancel the authorization)
        </button>
      </form>
    </div>
  );
}

/** Pause or resume an automatic top-up rule: undone as easily, so a plain button. */
export function RuleStateForm({ csrf, back, ruleId, action, text }: Base & { ruleId: string; action: "rule-pause" | "rule-resume"; text: string }) {
  return (
    <form method="post" action={`/admin/actions/${action}`}>
      <FormBasics csrf={csrf} back={back} />
      <input type="hidden" name="ruleId" value={ruleId} />
      <button type="submit" className={action === "rule-pause" ? "btn btn-secondary" : "btn"} data-testid={`${action}-${ruleId}`}>
        {text}
      </button>
    </form>
  );
}

/**
 * Turning a rule off cannot be undone from the console (the payer enrols again): it looks destructive and asks for
 * a tick first, like a refund or a suspension.
 */
export function TurnOffRuleForm({ csrf, back, ruleId, userId }: Base & { ruleId: string; userId: number }) {
  return (
    <details className="destructive">
      <summary>Turn off…</summary>
      <form method="post" action="/admin/actions/rule-disable" data-testid={`turn-off-${ruleId}`}>
        <FormBasics csrf={csrf} back={back} />
        <input type="hidden" name="ruleId" value={ruleId} />
        <p>
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> Stop topping up user {userId} for good: only the payer can enrol again
          </label>
        </p>
        <button type="submit" className="btn btn-danger" data-testid={`rule-disable-${ruleId}`}>
          Turn off
        </button>
      </form>
    </details>
  );
}
