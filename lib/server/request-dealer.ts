// Which dealer a request is for. Payer pages and their API live at /d/<slug>/... for a hosted dealer and at / for
// the environment's own; proxy.ts resolves the slug, rewrites the path to the app's one set of routes and passes
// the dealer's id in a request header it always overwrites (a value sent by a browser never reaches a route).
import { getServices, servicesForDealer, type Services } from "./services";

export const DEALER_HEADER = "x-gateway-dealer";

/**
 * "/d/acme/payment/complete" → { slug: "acme", path: "/payment/complete" }; null for any other path. A slug with a
 * malformed percent-escape ("/d/%E0%A4%A/") is null: it names no dealer (a slug is letters, digits and dashes).
 */
export function splitDealerPath(pathname: string): { slug: string | null; path: string } | null {
  const m = /^\/d\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!m) return null;
  let slug: string | null;
  try {
    slug = decodeURIComponent(m[1]!);
  } catch {
    slug = null;
  }
  return { slug, path: m[2] ?? "/" };
}

/**
 * Where a path with a trailing slash is sent (308), as Next.js does by itself without skipTrailingSlashRedirect
 * (next.config.js): the same path without it. Null for "/" and for a dealer's checkout, "/d/<slug>/", which is
 * the Payment system URL and answers at once. Relative, on this host: "//evil.example/" goes to "/evil.example".
 */
export function trailingSlashRedirect(pathname: string, search: string): string | null {
  if (pathname === "/" || !pathname.endsWith("/") || /^\/d\/[^/]+\/$/.test(pathname)) return null;
  return `/${pathname.replace(/^\/+|\/+$/g, "")}${search}`;
}

/** The path prefix of a dealer's payer pages: "" for the environment's dealer, "/d/<slug>" for a hosted one. */
export function dealerBasePath(dealer: Services["dealer"]): string {
  return dealer.isDefault ? "" : `/d/${encodeURIComponent(dealer.slug)}`;
}

/** The services of the request's dealer (the environment's when the proxy named none). */
export async function servicesForRequest(headers: { get(name: string): string | null }): Promise<Services> {
  const id = headers.get(DEALER_HEADER);
  if (!id) return getServices();
  const services = await servicesForDealer(id);
  if (!services) throw new Error(`dealer ${id} named by the proxy does not exist`);
  return services;
}
