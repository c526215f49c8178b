// The pages the proxy answers with when a checkout cannot be shown (400, 404, 503), and the manage link's errors. A
// page component cannot set its HTTP status, so these are plain, self-contained HTML documents: inline CSS that
// matches app/globals.css, no scripts, no external resources. In the payer's language, with a language switcher
// that is a plain GET form. Pure: safe in any runtime.
import { english } from "../i18n/english";
import { LOCALES, LOCALE_NAMES } from "../i18n/locales";
import type { Translator } from "../i18n/translate";
import { SANDBOX_WORDS } from "../sandbox/words";

export interface ErrorPageInput {
  status: number;
  title: string;
  message: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The language switcher's look, shared with the manage page (lib/autotopup/manage-html.ts). */
export const LANGUAGE_CSS = `.lang{display:flex;flex-wrap:wrap;align-items:center;justify-content:flex-end;gap:.375rem;margin-block-end:1rem;font-size:.875rem;color:var(--muted)}
.lang select,.lang button{font:inherit;min-height:2.25rem;padding:.25rem .5rem;border:1px solid var(--border-strong,#848f9e);border-radius:8px;background:var(--card);color:var(--text)}
.lang button{cursor:pointer}
`;

// Keep in step with the palette in app/globals.css. Logical properties (inline-start/end) so that right-to-left
// pages mirror by themselves.
const CSS = `
:root{color-scheme:light dark;--bg:#f3f5f8;--card:#fff;--text:#14202e;--muted:#556274;--border:#dde3ea;--border-strong:#848f9e;--accent:#1d5fd1;--danger:#b42318;--danger-bg:#fef3f2}
@media (prefers-color-scheme:dark){:root{--bg:#0e141b;--card:#17202b;--text:#e8edf3;--muted:#9aa8b8;--border:#2a3644;--border-strong:#66768a;--accent:#6ea2ff;--danger:#ff8a80;--danger-bg:#2c1a1a}}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
body{min-height:100vh;background:var(--bg);color:var(--text);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:16px;line-height:1.5;-webkit-text-size-adjust:100%}
main{max-width:30rem;margin:0 auto;padding:2rem 1rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(16,24,40,.06)}
.badge{display:inline-flex;align-items:center;justify-content:center;width:2.5rem;height:2.5rem;border-radius:50%;background:var(--danger-bg);color:var(--danger);font-weight:700;font-size:1.25rem;margin-block-end:.75rem}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 .5rem}
p{margin:0;color:var(--muted);overflow-wrap:anywhere}
.code{margin-block-start:1.25rem;font-size:.8125rem;color:var(--muted)}
.dealer{display:flex;align-items:center;min-height:2.5rem;margin-block-end:.75rem}
.dealer-logo{display:block;max-width:min(12.5rem,100%);max-height:2.5rem}
.dealer-name{font-size:1.125rem;font-weight:650;overflow-wrap:anywhere}
${LANGUAGE_CSS}`;

/**
 * Sandbox mode only. Keep in step with components/sandbox/SandboxBanner.tsx. On a phone the banner keeps its first
 * words and the link: the detail (Stripe and Navixy are emulated) is in the page's footer too.
 */
export const SANDBOX_CSS = `.sandbox-banner{position:sticky;top:0;padding:.5rem 1rem;background:#fdb022;color:#1f1300;border-bottom:1px solid #b54708;font-size:.875rem;line-height:1.4;text-align:center}
.sandbox-banner a{color:inherit;font-weight:600}
@media (max-width:30rem){.sandbox-banner-detail{display:none}}
`;

/** The "no real money" banner of sandbox mode, in the payer's language; its link is the dealer's /sandbox. */
export function sandboxBannerHtml(t: Translator, base = ""): string {
  const words = SANDBOX_WORDS[t.locale];
  return `<div class="sandbox-banner" role="status" data-testid="sandbox-banner"><strong>${escapeHtml(words.banner)}.</strong> <span class="sandbox-banner-detail">${escapeHtml(words.detail)} </span><a href="${escapeHtml(base)}/sandbox">${escapeHtml(words.overview)}</a></div>
`;
}

/** Where the language switcher sends the payer: the same page, with these query fields kept and `lang` set. */
export interface LanguageSwitch {
  action: string;
  keep?: Iterable<[string, string]>;
}

/** A GET form: works without any script, which these pages do not have. */
export function languageSwitcherHtml(t: Translator, to: LanguageSwitch): string {
  const e = escapeHtml;
  const hidden = [...(to.keep ?? [])]
    .filter(([name]) => name !== "lang")
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join("");
  const options = LOCALES.map(
    (l) => `<option value="${l}" lang="${l}"${l === t.locale ? " selected" : ""}>${e(LOCALE_NAMES[l])}</option>`,
  ).join("");
  return `<form class="lang" method="get" action="${e(to.action)}" data-testid="language-switcher">${hidden}<label for="lang-select">${e(t.t("language.label"))}</label><select id="lang-select" name="lang" data-testid="language-select">${options}</select><button type="submit">${e(t.t("language.apply"))}</button></form>
`;
}

export interface ErrorPageOptions {
  /** Sandbox mode (SANDBOX=1): show the "no real money" banner. */
  sandbox?: boolean;
  /** The payer's language (the words around the title and message, lang and dir). English by default. */
  translator?: Translator;
  /** Offer the other languages; without it, no switcher. */
  languages?: LanguageSwitch;
  /**
   * The dealer's look (lib/branding): its accent colours' CSS, and its logo or name on top. The logo is the
   * dealer's /brand/logo: `logoSrc` names it for a hosted dealer ("/d/<slug>/brand/logo").
   */
  brand?: { css: string; name: string | null; logo: boolean; logoSrc?: string };
  /** The dealer's path prefix ("/d/<slug>" for a hosted dealer): the sandbox banner links to its /sandbox. */
  base?: string;
}

/** The dealer's logo (or name) above a page, as components/branding/DealerHeader.tsx draws it. */
export function dealerHeaderHtml(brand: ErrorPageOptions["brand"]): string {
  if (!brand || (!brand.logo && !brand.name)) return "";
  const inner = brand.logo
    ? `<img class="dealer-logo" src="${escapeHtml(brand.logoSrc ?? "/brand/logo")}" alt="${escapeHtml(brand.name ?? "")}" data-testid="dealer-logo">`
    : `<span class="dealer-name">${escapeHtml(brand.name ?? "")}</span>`;
  return `<header class="dealer" data-testid="dealer-brand">${inner}</header>
`;
}

/** A complete HTML document for an error the payer should read (no scripts, no external resources). */
export function renderErrorPage({ status, title, message }: ErrorPageInput, options: ErrorPageOptions = {}): string {
  const t = options.translator ?? english;
  const safeTitle = escapeHtml(title);
  const safeMessage = escapeHtml(message);
  const code = Number.isInteger(status) ? status : 500;
  return `<!DOCTYPE html>
<html lang="${t.locale}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(t.t("meta.titleWith", { page: title }))}</title>
<style>${CSS}${options.sandbox ? SANDBOX_CSS : ""}${options.brand?.css ?? ""}</style>
</head>
<body>
${options.sandbox ? sandboxBannerHtml(t, options.base) : ""}<main>
${dealerHeaderHtml(options.brand)}${options.languages ? languageSwitcherHtml(t, options.languages) : ""}<div class="card" role="alert">
<div class="badge" aria-hidden="true">!</div>
<h1>${safeTitle}</h1>
<p>${safeMessage}</p>
<p class="code">${escapeHtml(t.t("errorPage.code", { status: String(code) }))}</p>
</div>
</main>
</body>
</html>
`;
}

/** The response for an error page: the status, HTML, never cached. */
export function errorPageResponse(
  input: ErrorPageInput,
  headers: Record<string, string> = {},
  options: ErrorPageOptions = {},
): Response {
  return new Response(renderErrorPage(input, options), {
    status: input.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
      ...(options.languages ? { vary: "accept-language" } : {}),
      ...headers,
    },
  });
}

/** Every error page a payer can meet, by its messages' name (errorPage.<name>.title / .message). */
export type ErrorPageName =
  | "invalidId"
  | "notFound"
  | "unavailable"
  | "pageUnavailable"
  | "notSaved"
  | "linkForged"
  | "linkExpired"
  | "linkRevoked"
  | "origin";

export function errorPageInput(status: number, name: ErrorPageName, t: Translator = english): ErrorPageInput {
  return { status, title: t.t(`errorPage.${name}.title`), message: t.t(`errorPage.${name}.message`) };
}

const CHECKOUT_ERROR_PAGES = {
  invalid_id: [400, "invalidId"],
  not_found: [404, "notFound"],
  unavailable: [503, "unavailable"],
} as const satisfies Record<string, readonly [number, ErrorPageName]>;
export type CheckoutErrorKind = keyof typeof CHECKOUT_ERROR_PAGES;

/** The words for each way a checkout link can fail, in the payer's language. */
export function checkoutError(kind: CheckoutErrorKind, t: Translator = english): ErrorPageInput {
  const [status, name] = CHECKOUT_ERROR_PAGES[kind];
  return errorPageInput(status, name, t);
}

/** The same, in English. */
export const CHECKOUT_ERRORS: Record<CheckoutErrorKind, ErrorPageInput> = {
  invalid_id: checkoutError("invalid_id"),
  not_found: checkoutError("not_found"),
  unavailable: checkoutError("unavailable"),
};
