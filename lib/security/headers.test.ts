import { describe, expect, test } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./headers";

const base = { sandbox: false, frameAncestors: "'none'" };

describe("security headers", () => {
  test("production: Stripe.js origins only, nonce for inline scripts, HSTS and upgrade on https", () => {
    const h = securityHeaders({ ...base, kind: "page", nonce: "abc=", publicUrl: "https://pay.example.com" });
    expect(h["content-security-policy"]).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc=' https://js.stripe.com https://*.js.stripe.com; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self' https://api.stripe.com; " +
        "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests",
    );
    expect(h["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });

  test("an emulator's origin joins connect-src only when STRIPE_API_URL is set; no HSTS on http", () => {
    const h = securityHeaders({ ...base, kind: "page", nonce: "n", stripeApiUrl: "http://127.0.0.1:12111/", publicUrl: "http://localhost:3000" });
    expect(h["content-security-policy"]).toContain("connect-src 'self' https://api.stripe.com http://127.0.0.1:12111;");
    expect(h["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(h["strict-transport-security"]).toBeUndefined();
  });

  test("frame-ancestors from the configuration, with the matching X-Frame-Options", () => {
    expect(securityHeaders({ ...base, kind: "page", frameAncestors: "'self'" })["x-frame-options"]).toBe("SAMEORIGIN");
    const h = securityHeaders({ ...base, kind: "page", frameAncestors: "https://panel.example.com https://x.example.org" });
    expect(h["x-frame-options"]).toBeUndefined();
    expect(h["content-security-policy"]).toContain("frame-ancestors https://panel.example.com https://x.example.org");
  });

  test("API routes get a policy that allows nothing", () => {
    expect(contentSecurityPolicy({ ...base, kind: "api" })).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  });

  test("nonces are fresh and 128-bit", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });
});
