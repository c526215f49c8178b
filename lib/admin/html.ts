// Small standalone HTML answers of the console's route handlers (rate-limited login, the webhook signing
// secret shown once). Everything interpolated is escaped.
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#14202e;margin:0;padding:2rem 1rem;line-height:1.5}
main{max-width:36rem;margin:0 auto;background:#fff;border:1px solid #dde3ea;border-radius:12px;padding:1.5rem}
h1{font-size:1.3rem;margin:0 0 .75rem}code{display:block;padding:.75rem;background:#e8f0fe;border-radius:8px;word-break:break-all;font-size:1rem}
a{color:#1d5fd1}.warn{color:#93370d;background:#fffaeb;padding:.5rem .75rem;border-radius:8px}
@media (prefers-color-scheme:dark){body{background:#0e141b;color:#e8edf3}main{background:#17202b;border-color:#2a3644}code{background:#1c2b44}a{color:#6ea2ff}.warn{background:#2b2210;color:#fec84b}}`;

/** `bodyHtml` must already be escaped. */
export function htmlPage(status: number, title: string, bodyHtml: string, headers: Record<string, string> = {}): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${bodyHtml}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer", ...headers },
  });
}
