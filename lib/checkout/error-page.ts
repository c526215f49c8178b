// The pages the proxy answers with when a checkout cannot be shown (400, 404, 503). A page component
// cannot set its HTTP status, so these are plain, self-contained HTML documents: inline CSS that
// matches app/globals.css, no scripts, no external resources. Pure: safe in any runtime.

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

// Keep in step with the palette in app/globals.css.
const CSS = `
:root{color-scheme:light dark;--bg:#f3f5f8;--card:#fff;--text:#14202e;--muted:#556274;--border:#dde3ea;--accent:#1d5fd1;--danger:#b42318;--danger-bg:#fef3f2}
@media (prefers-color-scheme:dark){:root{--bg:#0e141b;--card:#17202b;--text:#e8edf3;--muted:#9aa8b8;--border:#2a3644;--accent:#6ea2ff;--danger:#ff8a80;--danger-bg:#2c1a1a}}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{min-height:100vh;background:var(--bg);color:var(--text);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:16px;line-height:1.5;-webkit-text-size-adjust:100%}
main{max-width:30rem;margin:0 auto;padding:2rem 1rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(16,24,40,.06)}
.badge{display:inline-flex;align-items:center;justify-content:center;width:2.5rem;height:2.5rem;border-radius:50%;background:var(--danger-bg);color:var(--danger);font-weight:700;font-size:1.25rem;margin-bottom:.75rem}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 .5rem}
p{margin:0;color:var(--muted);overflow-wrap:anywhere}
.code{margin-top:1.25rem;font-size:.8125rem;color:var(--muted)}
`;

/** Sandbox mode only. Keep in step with components/sandbox/SandboxBanner.tsx. */
const SANDBOX_CSS = `.sandbox-banner{position:sticky;top:0;padding:.5rem 1rem;background:#fdb022;color:#1f1300;border-bottom:1px solid #b54708;font-size:.875rem;line-height:1.4;text-align:center}
.sandbox-banner a{color:inherit;font-weight:600}
`;
const SANDBOX_BANNER = `<div class="sandbox-banner" role="status" data-testid="sandbox-banner"><strong>Sandbox: no real money.</strong> Stripe and Navixy are emulated on this computer; cards are test cards. <a href="/sandbox">Sandbox overview</a></div>
`;

export interface ErrorPageOptions {
  /** Sandbox mode (SANDBOX=1): show the "no real money" banner. */
  sandbox?: boolean;
}

/** A complete HTML document for an error the payer should read (no scripts, no external resources). */
export function renderErrorPage({ status, title, message }: ErrorPageInput, options: ErrorPageOptions = {}): string {
  const safeTitle = escapeHtml(title);
  const safeMessage = escapeHtml(message);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${safeTitle} · Add money</title>
<style>${CSS}${options.sandbox ? SANDBOX_CSS : ""}</style>
</head>
<body>
${options.sandbox ? SANDBOX_BANNER : ""}<main>
<div class="card" role="alert">
<div class="badge" aria-hidden="true">!</div>
<h1>${safeTitle}</h1>
<p>${safeMessage}</p>
<p class="code">Error ${Number.isInteger(status) ? status : 500}</p>
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
      ...headers,
    },
  });
}

/** The words for each way a checkout link can fail. */
export const CHECKOUT_ERRORS = {
  invalid_id: {
    status: 400,
    title: "This payment link is incomplete",
    message:
      "This payment link is missing the account number or the number is not valid. Please open “Add money” again from your account in the tracking app, or contact your service provider.",
  },
  not_found: {
    status: 404,
    title: "Account not available",
    message: "This account cannot be topped up here. Please contact your service provider.",
  },
  unavailable: {
    status: 503,
    title: "Payments are temporarily unavailable",
    message: "Payments are temporarily unavailable. Please try again in a few minutes.",
  },
} as const satisfies Record<string, ErrorPageInput>;
