// Runs before every page and route (static assets and the Stripe webhook are excluded by the matcher below):
//
// 1. Security headers on every response (lib/security/headers.ts): a Content-Security-Policy with a fresh
//    nonce for pages (Next.js reads it from the request's CSP header and puts it on its own inline scripts),
//    nosniff, Referrer-Policy, frame-ancestors / X-Frame-Options, HSTS when PUBLIC_URL is https.
// 2. A request id: the caller's X-Request-Id when it looks like one, else a new one; passed on to the route
//    (so its log lines carry it) and returned in the response's X-Request-Id.
// 3. The checkout at "/" must answer with the right HTTP status (400 bad link, 404 unknown account,
//    503 Navixy unreachable), which a page cannot set. So the proxy loads the checkout first: on failure it
//    answers with a small HTML page itself; on success it passes the loaded checkout to app/page.tsx in a
//    request header, so the page does not ask Navixy a second time.
// 4. The payer's language (lib/checkout/page-locale.ts) for every payer's page, passed on in a request header
//    (lib/i18n/request.ts); the error pages above are written in it. The dealer console stays in English.
import { NextResponse, type NextRequest } from "next/server";
import { loadCheckout, type CheckoutResult } from "@/lib/checkout/load-checkout";
import { checkoutError, errorPageResponse, type ErrorPageOptions } from "@/lib/checkout/error-page";
import { choosePageLocale } from "@/lib/checkout/page-locale";
import { chooseLocale } from "@/lib/i18n/negotiate";
import { translatorFor } from "@/lib/i18n/messages";
import { LOCALE_HEADER } from "@/lib/i18n/request";
import type { Locale } from "@/lib/i18n/locales";
import { getServices, servicesForSlug, type Services } from "@/lib/server/services";
import { DEALER_HEADER, dealerBasePath, splitDealerPath, trailingSlashRedirect } from "@/lib/server/request-dealer";
import { CHECKOUT_HEADER, encodeCheckoutHeader } from "@/components/checkout/checkout-header";
import { headerSettings, withHeaders } from "@/lib/security/api-headers";
import { json } from "@/lib/http/responses";
import { newNonce, securityHeaders } from "@/lib/security/headers";
import { REQUEST_ID_HEADER, logger, requestIdFrom } from "@/lib/logging/logger";
import { brandCss } from "@/lib/branding/brand";
import { pageBrand } from "@/lib/branding/dealer-brand";

/** The dealer console and the sandbox overview are not the payer's: they stay in English. */
function isPayerPage(pathname: string): boolean {
  return !["/admin", "/sandbox"].some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

async function pageLocale(request: NextRequest, services: () => Services): Promise<Locale> {
  const choice = { query: request.nextUrl.searchParams.get("lang"), acceptLanguage: request.headers.get("accept-language") };
  try {
    return await choosePageLocale(services(), choice);
  } catch {
    // No configuration to read: the request's own choice, else English.
    return chooseLocale(choice).locale;
  }
}

function isApi(pathname: string): boolean {
  return (
    pathname.startsWith("/api/") ||
    pathname === "/api" ||
    pathname === "/metrics" ||
    pathname.startsWith("/brand/") ||
    pathname === "/sandbox/stripe.js" ||
    pathname.startsWith("/sandbox/stripe-api/")
  );
}

export async function proxy(request: NextRequest): Promise<Response> {
  const headers = new Headers(request.headers);
  // Whatever the browser sent under these names never reaches the page.
  headers.delete(CHECKOUT_HEADER);
  headers.delete(LOCALE_HEADER);
  headers.delete(DEALER_HEADER);

  // Next.js's own trailing-slash redirect is off (next.config.js) so that a dealer's Payment system URL,
  // /d/<slug>/?id=..., answers at once; every other path keeps it.
  const slashless = trailingSlashRedirect(request.nextUrl.pathname, request.nextUrl.search);
  // Next.js wants an absolute Location from the proxy (it sends it relative again when it is this origin's).
  if (slashless !== null) return NextResponse.redirect(new URL(slashless, request.url), 308);

  // A hosted dealer's pages: /d/<slug>/<path> is <path> for that dealer (lib/server/request-dealer.ts).
  const hosted = splitDealerPath(request.nextUrl.pathname);
  const pathname = hosted ? hosted.path : request.nextUrl.pathname;
  let dealer: Services | null = null;
  if (hosted) {
    const slug = hosted.slug;
    dealer =
      slug === null
        ? null
        : await servicesForSlug(slug).catch((error: unknown) => {
            logger.error({ slug, err: error }, "dealer could not be loaded");
            return null;
          });
    // Unknown, not live yet (its setup checks have not passed) or suspended: no payments are taken. Money already
    // in flight is still credited: its webhook and worker keep running.
    if (!dealer || dealer.dealer.status !== "active") return notFoundForDealer(request);
    headers.set(DEALER_HEADER, dealer.dealer.id);
  }
  const services = () => dealer ?? getServices();
  const requestId = requestIdFrom(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  // A malformed percent-escape ("/topup/manage/%E0%A4%A") names no page or route; past the proxy, Next.js would
  // fail decoding the route's parameters and answer 500.
  if (!decodable(pathname)) return malformedPath(requestId, isApi(pathname));

  // A hosted dealer's pages talk to its own Stripe: with an emulator (STRIPE_API_URL), that one joins connect-src.
  const settings = dealer ? { ...headerSettings(), stripeApiUrl: dealer.config.stripe.apiUrl } : headerSettings();
  const kind = isApi(pathname) ? "api" : "page";
  const nonce = kind === "page" ? newNonce() : undefined;
  const responseHeaders = securityHeaders({ ...settings, kind, nonce });
  responseHeaders[REQUEST_ID_HEADER] = requestId;
  // Next.js takes the nonce for its scripts from the request's CSP header.
  if (nonce) headers.set("content-security-policy", responseHeaders["content-security-policy"]!);

  const pass = (): Response => {
    if (!hosted) return withHeaders(NextResponse.next({ request: { headers } }), responseHeaders);
    const target = new URL(`${pathname}${request.nextUrl.search}`, request.url);
    return withHeaders(NextResponse.rewrite(target, { request: { headers } }), responseHeaders);
  };

  const locale = kind === "page" && isPayerPage(pathname) ? await pageLocale(request, services) : null;
  if (locale) headers.set(LOCALE_HEADER, locale);

  if (pathname !== "/" || (request.method !== "GET" && request.method !== "HEAD")) return pass();

  let result: CheckoutResult;
  try {
    result = await loadCheckout(services(), request.nextUrl.searchParams.get("id") ?? undefined);
  } catch (error) {
    // Configuration or database trouble: loadCheckout itself reports Navixy failures as "unavailable".
    logger.error({ requestId, err: error }, "checkout could not be loaded");
    result = { kind: "unavailable" };
  }

  if (result.kind === "ok") {
    headers.set(CHECKOUT_HEADER, encodeCheckoutHeader(result.checkout));
    return pass();
  }
  const translator = translatorFor(locale ?? "en");
  const look = await Promise.resolve()
    .then(() => pageBrand(services()))
    .catch(() => null);
  // The language switcher and the logo stay the dealer's: under /d/<slug> for a hosted one.
  const base = dealer ? dealerBasePath(dealer.dealer) : "";
  const page: ErrorPageOptions = {
    sandbox: settings.sandbox,
    translator,
    base,
    languages: { action: `${base}/`, keep: request.nextUrl.searchParams },
    ...(look ? { brand: { css: brandCss(look.brand), name: look.brand.name, logo: look.logo, logoSrc: `${base}/brand/logo` } } : {}),
  };
  switch (result.kind) {
    case "invalid_id":
      return withHeaders(errorPageResponse(checkoutError("invalid_id", translator), {}, page), responseHeaders);
    case "not_found":
      return withHeaders(errorPageResponse(checkoutError("not_found", translator), {}, page), responseHeaders);
    case "unavailable":
      return withHeaders(errorPageResponse(checkoutError("unavailable", translator), { "retry-after": "60" }, page), responseHeaders);
  }
}

function decodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function malformedPath(requestId: string, api: boolean): Response {
  const message = "This address is not valid (a malformed percent-escape).";
  const response = api
    ? json({ error: { code: "invalid_path", message } }, 400)
    : new Response(message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  return withHeaders(response, { ...securityHeaders({ ...headerSettings(), kind: "api" }), [REQUEST_ID_HEADER]: requestId });
}

/** A /d/<slug>/ address of no dealer (or one not live: in setup or suspended): the payer's "account not available" page. */
async function notFoundForDealer(request: NextRequest): Promise<Response> {
  const settings = headerSettings();
  const locale = chooseLocale({ query: request.nextUrl.searchParams.get("lang"), acceptLanguage: request.headers.get("accept-language") }).locale;
  const translator = translatorFor(locale);
  const response = errorPageResponse(checkoutError("not_found", translator), {}, { sandbox: settings.sandbox, translator });
  return withHeaders(response, { ...securityHeaders({ ...settings, kind: "page", nonce: newNonce() }), [REQUEST_ID_HEADER]: requestIdFrom(request.headers) });
}

export const config = {
  // Everything but the build's static files and the public folder's icon (they carry no state and no script),
  // and the Stripe webhook, which adds the same headers itself (lib/security/api-headers.ts): it is the busiest
  // route, and a pass through the proxy costs it about a fifth of its time. A webhook address that is no slug
  // (anything but letters, digits and dashes, e.g. a malformed "%E0%A4%A") still passes through, and is refused.
  matcher: ["/((?!_next/static|_next/image|favicon\\.svg|favicon\\.ico|api/stripe/webhook$|api/stripe/webhook/[a-z0-9-]+$).*)"],
};
