// The payer's manage page as a self-contained HTML document (no scripts, no external resources), so its route
// can answer with the right status: 200, or 403 / 410 for a forged, expired or revoked link
// (those use lib/checkout/error-page.ts). In the payer's language; everything interpolated is escaped.
import { LANGUAGE_CSS, SANDBOX_CSS, dealerHeaderHtml, escapeHtml, languageSwitcherHtml, sandboxBannerHtml, type ErrorPageOptions } from "../checkout/error-page";
import { english } from "../i18n/english";
import type { MessageKey, Translator } from "../i18n/translate";
import { formatMoney, toMajorString } from "../money";
import { isAutoTopUpState, isOff } from "./states";

// Keep in step with app/globals.css (and lib/checkout/error-page.ts).
const CSS = `
:root{color-scheme:light dark;--bg:#f3f5f8;--card:#fff;--text:#14202e;--muted:#556274;--border:#dde3ea;--border-strong:#848f9e;--accent:#1d5fd1;--accent-text:#fff;--danger:#b42318;--danger-bg:#fef3f2;--success:#067647;--success-bg:#ecfdf3;--warning:#93370d;--warning-bg:#fffaeb}
@media (prefers-color-scheme:dark){:root{--bg:#0e141b;--card:#17202b;--text:#e8edf3;--muted:#9aa8b8;--border:#2a3644;--border-strong:#66768a;--accent:#6ea2ff;--accent-text:#0b1220;--danger:#ff8a80;--danger-bg:#2c1a1a;--success:#6ce9a6;--success-bg:#12281e;--warning:#fec84b;--warning-bg:#2b2210}}
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
table{width:100%;border-collapse:collapse;font-size:.9375rem}th,td{text-align:start;padding:.375rem .25rem;border-bottom:1px solid var(--border)}th{color:var(--muted);font-weight:500}
form{display:grid;gap:.75rem}label{display:grid;gap:.25rem;font-size:.9375rem}
input[type=text]{font:inherit;padding:.625rem .75rem;border:1px solid var(--border-strong);border-radius:8px;background:var(--card);color:var(--text);width:100%}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.5rem 1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);cursor:pointer}
a.button{display:inline-flex;align-items:center;font-weight:600;min-height:2.75rem;padding:.5rem 1rem;border-radius:8px;background:var(--accent);color:var(--accent-text);text-decoration:none}
button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
@media (prefers-color-scheme:dark){button.danger{color:var(--accent-text)}}
details summary{cursor:pointer;color:var(--muted)}details p{margin-top:.5rem;font-size:.9375rem}
.dealer{display:flex;align-items:center;min-height:2.5rem;margin-block-end:.75rem}
.dealer-logo{display:block;max-width:min(12.5rem,100%);max-height:2.5rem}
.dealer-name{font-size:1.125rem;font-weight:650;overflow-wrap:anywhere}
${LANGUAGE_CSS}`;

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
  /** The rule waits for the bank's confirmation: the checkout that asks for it, with this link's token. */
  confirmUrl?: string;
  charges: { at: Date; amount: number; status: string }[];
  notice?: { tone: "success" | "error"; text: string };
  /** Values to show in the change form (what the payer typed, after an error). */
  form?: { amount: string; threshold: string; limit: string };
}

/** A top-up payment's status in the payer's words. */
const STATUS_KEYS: Record<string, MessageKey> = {
  created: "manage.payment.created",
  awaiting_payment: "manage.payment.awaiting_payment",
  processing: "manage.payment.processing",
  authorized: "manage.payment.authorized",
  succeeded: "manage.payment.succeeded",
  partially_refunded: "manage.payment.partially_refunded",
  refunded: "manage.payment.refunded",
  failed: "manage.payment.failed",
  canceled: "manage.payment.canceled",
  abandoned: "manage.payment.abandoned",
};

/** The rule's state for the payer (the console has its own words: STATE_LABELS in ./states). */
export function payerStateLabel(state: string, t: Translator): string {
  return isAutoTopUpState(state) ? t.t(`manage.state.${state}`) : state;
}

export interface ManagePageOptions {
  sandbox: boolean;
  /** The payer's language; English by default. */
  translator?: Translator;
  /** `?lang=` the page was opened with: kept by its forms, so the answer comes back in that language. */
  lang?: string | null;
  /** The dealer's path prefix ("/d/<slug>" for a hosted dealer): its forms and language switcher stay there. */
  base?: string;
  /** The dealer's look: its name or logo above the page and its colours (as on its other pages). */
  brand?: ErrorPageOptions["brand"];
}

export function renderManagePage(m: ManagePageModel, options: ManagePageOptions): string {
  const t = options.translator ?? english;
  const e = escapeHtml;
  const off = isOff(m.state);
  const money = (minor: number) => e(formatMoney(minor, m.currency, t.locale));
  const major = (minor: number) => toMajorString(minor, m.currency);
  const form = m.form ?? { amount: major(m.amount), threshold: major(m.threshold), limit: major(m.monthlyLimit) };
  const cur = m.currency.toUpperCase();
  const rows = m.charges
    .map((c) => {
      const status = STATUS_KEYS[c.status];
      return `<tr><td>${e(t.date(c.at))}</td><td>${money(c.amount)}</td><td>${e(status ? t.t(status) : c.status)}</td></tr>`;
    })
    .join("");
  const tokenField = `<input type="hidden" name="token" value="${e(m.token)}">`;
  const base = options.base ?? "";
  const path = `${e(base)}/topup/manage/${e(m.token)}`;
  const action = options.lang ? `${path}?lang=${e(encodeURIComponent(options.lang))}` : path;
  return `<!DOCTYPE html>
<html lang="${t.locale}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="same-origin">
<title>${e(t.t("manage.title"))}</title>
<style>${CSS}${options.sandbox ? SANDBOX_CSS : ""}${options.brand?.css ?? ""}</style>
</head>
<body>
${options.sandbox ? sandboxBannerHtml(t, base) : ""}<main>
${dealerHeaderHtml(options.brand)}${languageSwitcherHtml(t, { action: `${base}/topup/manage/${m.token}` })}<div class="card" data-testid="autotopup-manage">
<div>
<h1>${e(t.t("manage.title"))}</h1>
<p style="margin-top:.5rem"><span class="state" data-testid="autotopup-state" data-state="${e(m.state)}" data-on="${m.state === "active"}" data-off="${off}">${e(payerStateLabel(m.state, t))}</span></p>
</div>
${m.notice ? `<p class="notice" role="status" data-tone="${m.notice.tone}" data-testid="autotopup-notice">${e(m.notice.text)}</p>` : ""}
<dl data-testid="autotopup-terms">
<dt>${e(t.t("manage.topUp"))}</dt><dd>${money(m.amount)}</dd>
<dt>${e(t.t("manage.threshold"))}</dt><dd>${money(m.threshold)}</dd>
<dt>${e(t.t("manage.limit"))}</dt><dd>${money(m.monthlyLimit)}</dd>
<dt>${e(t.t("manage.used"))}</dt><dd data-testid="autotopup-used">${money(m.usedThisMonth)}</dd>
</dl>
${
  m.state === "paused_authentication_required"
    ? `<p class="muted">${e(t.t("manage.pausedAuthentication"))}</p>${
        m.confirmUrl ? `\n<p><a class="button" href="${e(m.confirmUrl)}" rel="noreferrer" data-testid="autotopup-confirm-link">${e(t.t("autoTopUp.confirm.button"))}</a></p>` : ""
      }`
    : ""
}
${m.state === "paused" ? `<p class="muted">${e(t.t("manage.pausedByDealer"))}</p>` : ""}
${rows ? `<div><h2>${e(t.t("manage.recent"))}</h2><table><thead><tr><th>${e(t.t("manage.date"))}</th><th>${e(t.t("manage.amount"))}</th><th>${e(t.t("manage.status"))}</th></tr></thead><tbody>${rows}</tbody></table></div>` : ""}
${
  off
    ? `<p class="muted">${e(t.t("manage.isOff"))}</p>`
    : `<form method="post" action="${action}" data-testid="autotopup-off-form">
${tokenField}<input type="hidden" name="action" value="off">
<button type="submit" class="danger" data-testid="autotopup-turn-off">${e(t.t("manage.turnOff"))}</button>
<p class="muted">${e(t.t("manage.turnOffNote"))}</p>
</form>
<form method="post" action="${action}" data-testid="autotopup-change-form">
<h2>${e(t.t("manage.change"))}</h2>
${tokenField}<input type="hidden" name="action" value="change">
<label>${e(t.t("manage.amountField", { currency: cur }))}<input type="text" inputmode="decimal" name="amount" value="${e(form.amount)}" autocomplete="off"></label>
<label>${e(t.t("manage.thresholdField", { currency: cur }))}<input type="text" inputmode="decimal" name="threshold" value="${e(form.threshold)}" autocomplete="off"></label>
<label>${e(t.t("manage.limitField", { currency: cur }))}<input type="text" inputmode="decimal" name="limit" value="${e(form.limit)}" autocomplete="off"></label>
<p class="muted">${e(t.t("manage.replaceNote"))}</p>
<button type="submit" data-testid="autotopup-save">${e(t.t("manage.save"))}</button>
</form>`
}
<details><summary>${e(t.t("manage.agreed"))}</summary><p data-testid="autotopup-mandate">${e(m.mandateText)}</p></details>
<p class="muted">${e(t.t("manage.private", { date: t.date(m.linkExpiresAt) }))}</p>
</div>
</main>
</body>
</html>
`;
}
