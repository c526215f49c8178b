// Security headers for every page and route (set by proxy.ts). Pure: no configuration is read here.
//
// Content-Security-Policy for pages allows the app itself, Next.js's inline scripts through a per-request
// nonce, and exactly the Stripe.js origins Stripe's "Content Security Policy" section of its integration
// security guide lists for Stripe.js / Elements (https://docs.stripe.com/security/guide#content-security-policy,
// linked from @stripe/stripe-js's README):
//   script-src   https://js.stripe.com https://*.js.stripe.com
//   frame-src    https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com
//   connect-src  https://api.stripe.com
// (https://maps.googleapis.com, which the guide adds for the Address Element's autocomplete, and the
// checkout.stripe.com entries for Stripe-hosted Checkout are left out: this app uses neither.)
//
// Deliberate extras, each for a reason:
//   - style-src 'unsafe-inline': React style attributes, the error pages' <style> and the sandbox Stripe.js's
//     injected <style>. Styles cannot run code; scripts stay nonce/origin-bound.
//   - sandbox mode: the app's own /sandbox/stripe.js and /sandbox/stripe-api are same-origin ('self').
//   - STRIPE_API_URL set (it only is for an emulator): its origin joins connect-src, so a Stripe.js double that
//     talks to the emulator (the browser tests' "real" configuration) keeps working. Unset in production.
// No 'strict-dynamic': @stripe/stripe-js inserts its <script> itself, and the origin list is what we vouch for.
export interface SecurityHeaderOptions {
  /** Base64 nonce for this response (pages); undefined for API routes and files. */
  nonce?: string;
  /** "page": HTML documents; "api": JSON routes and files (a policy that allows nothing). */
  kind: "page" | "api";
  sandbox: boolean;
  /** STRIPE_API_URL (an emulator) or undefined. */
  stripeApiUrl?: string;
  /** config.security.frameAncestors: 'none', 'self' or https origins. */
  frameAncestors: string;
  /** PUBLIC_URL: HSTS and upgrade-insecure-requests only when it is https. */
  publicUrl?: string;
}

export const STRIPE_JS_ORIGINS = {
  script: ["https://js.stripe.com", "https://*.js.stripe.com"],
  frame: ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
  connect: ["https://api.stripe.com"],
} as const;

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}

function isHttps(url: string | undefined): boolean {
  return originOf(url)?.startsWith("https://") ?? false;
}

export function contentSecurityPolicy(o: SecurityHeaderOptions): string {
  const frameAncestors = o.frameAncestors.trim() || "'none'";
  if (o.kind === "api") {
    return ["default-src 'none'", `frame-ancestors ${frameAncestors}`, "base-uri 'none'", "form-action 'none'"].join("; ");
  }
  const emulator = originOf(o.stripeApiUrl);
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'", ...(o.nonce ? [`'nonce-${o.nonce}'`] : []), ...STRIPE_JS_ORIGINS.script]],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:"]],
    ["font-src", ["'self'"]],
    ["connect-src", ["'self'", ...STRIPE_JS_ORIGINS.connect, ...(emulator ? [emulator] : [])]],
    ["frame-src", [...STRIPE_JS_ORIGINS.frame]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", [frameAncestors]],
  ];
  const parts = directives.map(([name, values]) => `${name} ${values.join(" ")}`);
  if (isHttps(o.publicUrl)) parts.push("upgrade-insecure-requests");
  return parts.join("; ");
}

/** Every header to set on a response. */
export function securityHeaders(o: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": contentSecurityPolicy(o),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  };
  const ancestors = o.frameAncestors.trim();
  // X-Frame-Options for browsers without frame-ancestors; it cannot name origins, so only for 'none' / 'self'.
  if (ancestors === "'none'" || ancestors === "") headers["x-frame-options"] = "DENY";
  else if (ancestors === "'self'") headers["x-frame-options"] = "SAMEORIGIN";
  if (isHttps(o.publicUrl)) headers["strict-transport-security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/** A fresh nonce: 128 random bits, base64. Web Crypto, so it works in any runtime. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
