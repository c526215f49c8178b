// The payer's manage page as a self-contained HTML document (no scripts, no external resources), so its route
// can answer with the right status: 200, or 403 / 410 for a forged, expired or revoked link
// (those use lib/checkout/error-page.ts). Everything interpolated is escaped.
import { escapeHtml } from "../checkout/error-page";
import { formatMoney, toMajorString } from "../money";
import { isOff, stateLabel } from "./states";

// Keep in step with app/globals.css (and lib/checkout/error-page.ts).
const CSS = `
:root{color-scheme:light dark;--bg:#f3f5f8;--card:#fff;--text:#14202e;--muted:#556274;--border:#dde3ea;--accent:#1d5fd1;--accent-text:#fff;--danger:#b42318;--danger-bg:#fef3f2;--success:#067647;--success-bg:#ecfdf3;--warning:#93370d;--warning-bg:#fffaeb}
@media (prefers-color-scheme:dark){:root{--bg:#0e141b;--card:#17202b;--text:#e8edf3;--muted:#9aa8b8;--border:#2a3644;--accent:#6ea2ff;--accent-text:#0b1220;--danger:#ff8a80;--danger-bg:#2c1a1a;--success:#6ce9a6;--success-bg:#12281e;--warning:#fec84b;--warning-bg:#2b2210}}
*{box-sizing:border-box}html,body{margin:0;padding:0}
body{min-height:100vh;background:var(--bg);color:var(--text);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:16px;line-height:1.5;-webkit-text-size-adjust:100%}
main{max-width:32rem;margin:0 auto;padding:2rem 1rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(16,24,40,.06);display:grid;gap:1.25rem}
h1{font-size:1.375rem;line-height:1.3;margin:0}h2{font-size:1rem;margin:0 0 .5rem}
p{margin:0}.muted{color:var(--muted);font-size:.9375rem}
.state{display:inline-block;padding:.25rem .625rem;border-radius:999px;font-weight:600;font-size:.875rem;background:var(--warning-bg);color:var(--warning)}
.state[data-on=true]{background:var(--success-bg);color:var(--success)}.state[data-off=true]{background:var(--danger-bg);color:var(--danger)}
.notice{padding:.75rem 1rem;border-radius:8px;background:var(--success-bg);color:var(--success)}.notice[data-tone=error]{background:var(--danger-bg);color:var(--danger)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums}
table{width:100%;border-collapse:collapse;font-size:.9375rem}th,td{text-align:left;padding:.375rem .25rem;border-bottom:1px solid var(--border)}th{color:var(--muted);font-weight:500}
form{display:grid;gap:.75rem}label{display:grid;gap:.25rem;font-size:.9375rem}
input[type=text]{font:inherit;padding:.625rem .75rem;border:1px solid var(--border);border-radius:8px;background:var(--card);color:var(--text);width:100%}
input[type=text]:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.5rem 1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);cursor:pointer}
button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
details summary{cursor:pointer;color:var(--muted)}details p{margin-top:.5rem;font-size:.9375rem}
.sandbox-banner{position:sticky;top:0;padding:.5rem 1rem;background:#fdb022;color:#1f1300;border-bottom:1px solid #b54708;font-size:.875rem;line-height:1.4;text-align:center}.sandbox-banner a{color:inherit;font-weight:600}
`;

/** Keep in step with components/sandbox/SandboxBanner.tsx. */
const SANDBOX_BANNER = `<div class="sandbox-banner" role="status" data-testid="sandbox-banner"><strong>Sandbox: no real money.</strong> Stripe and Navixy are emulated on this computer; cards are test cards. <a href="/sandbox">Sandbox overview</a></div>`;

export interface ManagePageModel {
  token: string;
  state: string;
  stateReason: string | null;
  currency: string;
  amount: number;
  threshold: number;
  monthlyLimit: number;
  usedThisMonth: number;
  mandateText: string;
  linkExpiresAt: Date;
  charges: { at: Date; amount: number; status: string }[];
  notice?: { tone: "success" | "error"; text: string };
  /** Values to show in the change form (what the payer typed, after an error). */
  form?: { amount: string; threshold: string; limit: string };
}

const STATUS_WORDS: Record<string, string> = {
  created: "starting",
  awaiting_payment: "waiting for confirmation",
  processing: "processing",
  authorized: "authorized",
  succeeded: "paid",
  partially_refunded: "partly refunded",
  refunded: "refunded",
  failed: "declined",
  canceled: "canceled",
  abandoned: "not completed",
};

export function renderManagePage(m: ManagePageModel, options: { sandbox: boolean }): string {
  const e = escapeHtml;
  const off = isOff(m.state);
  const money = (minor: number) => e(formatMoney(minor, m.currency, "en"));
  const major = (minor: number) => toMajorString(minor, m.currency);
  const form = m.form ?? { amount: major(m.amount), threshold: major(m.threshold), limit: major(m.monthlyLimit) };
  const cur = e(m.currency.toUpperCase());
  const rows = m.charges
    .map((c) => `<tr><td>${e(c.at.toISOString().slice(0, 10))}</td><td>${money(c.amount)}</td><td>${e(STATUS_WORDS[c.status] ?? c.status)}</td></tr>`)
    .join("");
  const tokenField = `<input type="hidden" name="token" value="${e(m.token)}">`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="same-origin">
<title>Automatic top-up</title>
<style>${CSS}</style>
</head>
<body>
${options.sandbox ? SANDBOX_BANNER : ""}<main>
<div class="card" data-testid="autotopup-manage">
<div>
<h1>Automatic top-up</h1>
<p style="margin-top:.5rem"><span class="state" data-testid="autotopup-state" data-state="${e(m.state)}" data-on="${m.state === "active"}" data-off="${off}">${e(stateLabel(m.state))}</span></p>
</div>
${m.notice ? `<p class="notice" role="status" data-tone="${m.notice.tone}" data-testid="autotopup-notice">${e(m.notice.text)}</p>` : ""}
<dl data-testid="autotopup-terms">
<dt>Top-up</dt><dd>${money(m.amount)}</dd>
<dt>When the balance falls below</dt><dd>${money(m.threshold)}</dd>
<dt>At most per month</dt><dd>${money(m.monthlyLimit)}</dd>
<dt>Used this month</dt><dd data-testid="autotopup-used">${money(m.usedThisMonth)}</dd>
</dl>
${m.state === "paused_authentication_required" ? `<p class="muted">Your bank asks you to confirm a top-up. Open “Add money” in your tracking app to confirm it; automatic top-up then continues.</p>` : ""}
${m.state === "paused" ? `<p class="muted">Your service provider paused automatic top-up. Contact them if you have questions.</p>` : ""}
${rows ? `<div><h2>Recent top-ups</h2><table><thead><tr><th>Date</th><th>Amount</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table></div>` : ""}
${
  off
    ? `<p class="muted">Automatic top-up is off and your card will not be charged. To turn it on again, choose “Top up automatically” the next time you add money.</p>`
    : `<form method="post" action="/topup/manage/${e(m.token)}" data-testid="autotopup-off-form">
${tokenField}<input type="hidden" name="action" value="off">
<button type="submit" class="danger" data-testid="autotopup-turn-off">Turn off automatic top-up</button>
<p class="muted">Your card will not be charged again. A top-up already under way still completes.</p>
</form>
<form method="post" action="/topup/manage/${e(m.token)}" data-testid="autotopup-change-form">
<h2>Change</h2>
${tokenField}<input type="hidden" name="action" value="change">
<label>Top-up amount (${cur})<input type="text" inputmode="decimal" name="amount" value="${e(form.amount)}" autocomplete="off"></label>
<label>When the balance falls below (${cur})<input type="text" inputmode="decimal" name="threshold" value="${e(form.threshold)}" autocomplete="off"></label>
<label>At most per month (${cur})<input type="text" inputmode="decimal" name="limit" value="${e(form.limit)}" autocomplete="off"></label>
<p class="muted">Saving replaces your authorisation with these amounts.</p>
<button type="submit" data-testid="autotopup-save">Save changes</button>
</form>`
}
<details><summary>What you agreed to</summary><p data-testid="autotopup-mandate">${e(m.mandateText)}</p></details>
<p class="muted">Keep this link private: anyone who has it can change or turn off your automatic top-up. It works until ${e(m.linkExpiresAt.toISOString().slice(0, 10))}.</p>
</div>
</main>
</body>
</html>
`;
}
