// How the payer proves, at the checkout, that a rule is theirs: with the token of its manage link
// (lib/autotopup/token.ts). A user id is no proof, so without it the checkout learns nothing about the user's rule.
// The manage page's "Confirm with my bank" opens the checkout with the token in the URL's fragment, which browsers
// never send to a server or in a Referer; the page keeps it in the browser (as the return page of the enrolment
// does) and sends it in a header to GET /api/topup/checkout and in the body of POST /api/topup/confirm.
// No server-only imports: the checkout's components use this too.

/** The request header that carries the manage link's token to GET /api/topup/checkout. */
export const MANAGE_TOKEN_HEADER = "x-auto-top-up-token";

/** `#confirm=<token>`: the checkout's fragment when the payer comes from their manage page to confirm. */
export const CONFIRM_FRAGMENT = "confirm";

/** The checkout of `userId` (under the dealer's `publicUrl`), asking to confirm with the bank. */
export function confirmAtCheckoutUrl(publicUrl: string, userId: number, token: string, lang?: string | null): string {
  const query = new URLSearchParams({ id: String(userId) });
  if (lang) query.set("lang", lang);
  return `${publicUrl}/?${query.toString()}#${CONFIRM_FRAGMENT}=${encodeURIComponent(token)}`;
}

/** The token a manage link carries: "https://…/topup/manage/<token>?lang=de" → "<token>". */
export function tokenOfManageUrl(url: string): string | null {
  const m = /\/topup\/manage\/([^/?#]+)/.exec(url);
  return m ? decodeURIComponent(m[1]!) : null;
}
