// Security of the production build, in both configurations: the headers every page and route carries, a
// payment under the Content-Security-Policy with no violation reported by the browser, no secret in the
// client bundle or in any served page, and no non-public route answering an anonymous request.
import fs from "node:fs";
import path from "node:path";
import { test, expect } from "./support/fixtures";
import { CARDS, choosePreset, enterCard, expectReturnPage, openCheckout, pressPay } from "./support/checkout";
import { ROOT } from "./support/env";

// ------------------------------------------------------------------------------------------------ headers

const STRIPE_SCRIPT = ["https://js.stripe.com", "https://*.js.stripe.com"];
const STRIPE_FRAME = ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"];

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

function expectCommonHeaders(headers: Record<string, string>, where: string): void {
  expect(headers["x-content-type-options"], where).toBe("nosniff");
  expect(headers["referrer-policy"], where).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"], where).toBe("DENY");
  expect(headers["x-request-id"], where).toMatch(/^[A-Za-z0-9._:-]{6,100}$/);
  // PUBLIC_URL is http in the browser tests: no HSTS (it would pin 127.0.0.1 to https).
  expect(headers["strict-transport-security"], where).toBeUndefined();
  const csp = directives(headers["content-security-policy"] ?? "");
  expect(csp.get("frame-ancestors"), where).toEqual(["'none'"]);
}

test("every page carries the security headers and a fresh nonce its scripts use", async ({ request, stack, userId }) => {
  const pages = [`/?id=${userId}`, "/?id=abc", "/?id=2000000001", "/payment/complete?payment_intent=pi_nope", "/no-such-page"];
  if (stack.sandbox) pages.push("/sandbox");
  const nonces = new Set<string>();
  for (const p of pages) {
    const response = await request.get(p);
    const headers = response.headers();
    expectCommonHeaders(headers, p);
    const csp = directives(headers["content-security-policy"] ?? "");
    const scriptSrc = csp.get("script-src") ?? [];
    const nonce = scriptSrc.find((v) => v.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce, `${p}: script-src has a nonce`).toBeTruthy();
    nonces.add(nonce!);
    expect(scriptSrc.filter((v) => !v.startsWith("'nonce-"))).toEqual(["'self'", ...STRIPE_SCRIPT]);
    expect(scriptSrc, p).not.toContain("'unsafe-inline'");
    expect(scriptSrc, p).not.toContain("'unsafe-eval'");
    expect(csp.get("frame-src"), p).toEqual(STRIPE_FRAME);
    expect(csp.get("connect-src"), p).toEqual(["'self'", "https://api.stripe.com", new URL(stack.stripeUrl).origin]);
    expect(csp.get("default-src"), p).toEqual(["'self'"]);
    expect(csp.get("object-src"), p).toEqual(["'none'"]);
    const html = await response.text();
    // Every inline script Next.js wrote carries this response's nonce (pages the proxy answers have none).
    for (const m of html.matchAll(/<script\b([^>]*)>/g)) {
      const attrs = m[1] ?? "";
      if (/\bsrc=/.test(attrs) && !/\bnonce=/.test(attrs)) {
        // An external script without a nonce must come from an allowed origin ('self' or Stripe).
        const src = /src="([^"]+)"/.exec(attrs)?.[1] ?? "";
        expect(src.startsWith("/") || src.startsWith("https://js.stripe.com/"), `${p}: ${src}`).toBe(true);
      } else {
        expect(attrs, `${p}: inline script without this response's nonce`).toContain(`nonce="${nonce}"`);
      }
    }
  }
  expect(nonces.size, "a new nonce for every response").toBe(pages.length);
});

test("every API route carries the security headers and echoes a request id", async ({ request }) => {
  const calls = [
    () => request.get("/api/health", { headers: { "x-request-id": "e2e-request-12345" } }),
    () => request.get("/api/payments/pay_doesnotexist0000000000000"),
    () => request.post("/api/payments", { data: "not json", headers: { "content-type": "text/plain" } }),
    () => request.post("/api/stripe/webhook", { data: "{}" }),
  ];
  for (const [i, call] of calls.entries()) {
    const response = await call();
    expect(response.status(), `call ${i}`).toBeLessThan(500);
    const headers = response.headers();
    expectCommonHeaders(headers, `call ${i}`);
    expect(headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    if (i === 0) expect(headers["x-request-id"]).toBe("e2e-request-12345");
  }
});

test("a payment under the Content-Security-Policy: no violation reported", async ({ page, context, stack, navixy, userId }) => {
  const violations: string[] = [];
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const w = window as unknown as { __cspViolations?: string[] };
      (w.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  await openCheckout(page, stack, userId);
  await choosePreset(page, 1000);
  await enterCard(page, CARDS.success);
  const before = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  violations.push(...before);
  await pressPay(page);
  await expectReturnPage(page, stack, "credited");
  const after = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  violations.push(...after);
  expect(violations).toEqual([]);
  expect((await navixy.credits(userId)).length).toBe(1);
});

// ------------------------------------------------------------------------------------------------ secrets

/** The secret values the e2e stack runs with (e2e/support/stack.ts and the Navixy emulator's default credentials). */
function stackSecrets(): string[] {
  const source = fs.readFileSync(path.join(ROOT, "e2e", "support", "stack.ts"), "utf8");
  const secrets = new Set<string>();
  for (const m of source.matchAll(/\b([A-Z_]*(?:SECRET|PASSWORD|HASH)[A-Z_]*)\s*[:=]\s*"([^"]{6,})"/g)) secrets.add(m[2]!);
  // The stack passes the Navixy emulator's credentials through (navixy.credentials): its defaults.
  expect(source).toContain("navixy.credentials.password");
  secrets.add("demo-password");
  secrets.add("emulator-api-hash");
  if (process.env.ADMIN_PASSWORD) secrets.add(process.env.ADMIN_PASSWORD);
  expect([...secrets].some((s) => s.startsWith("sk_")), "found STRIPE_SECRET_KEY in stack.ts").toBe(true);
  expect([...secrets].some((s) => s.startsWith("whsec_")), "found STRIPE_WEBHOOK_SECRET in stack.ts").toBe(true);
  return [...secrets];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test("no secret in the client bundle or in any served page", async ({ request, stack, userId }) => {
  const secrets = stackSecrets();
  if (!stack.sandbox) {
    const files = filesUnder(path.join(ROOT, ".next", "static"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = fs.readFileSync(file, "latin1");
      for (const s of secrets) expect(text.includes(s), `${path.relative(ROOT, file)} contains a secret`).toBe(false);
    }
  }
  const paths = [`/?id=${userId}`, "/?id=abc", "/?id=2000000001", "/payment/complete?payment_intent=pi_nope", "/no-such-page", "/api/health", "/sandbox", "/sandbox/stripe.js"];
  for (const p of paths) {
    const response = await request.get(p);
    const text = (await response.text()) + JSON.stringify(response.headers());
    for (const s of secrets) expect(text.includes(s), `${p} contains a secret`).toBe(false);
  }
});

// ------------------------------------------------------------------------------------------------ routes

/**
 * Every page and route of app/, classified. PUBLIC: anyone may use them (the /sandbox ones only exist in sandbox
 * mode and answer 404 otherwise). LOGIN: the console's sign-in form and the endpoint it posts to. Everything
 * else is private: an anonymous request must get 401, 403, 404 or a redirect to the login page.
 * A new page or route that is not listed here is private by default, and tested as such.
 */
const PUBLIC = new Set([
  "/",
  "/payment/complete",
  "/api/payments",
  "/api/payments/[paymentId]",
  "/api/stripe/webhook",
  // A hosted dealer's webhook endpoint: like the default one, verified by its signature.
  "/api/stripe/webhook/[slug]",
  "/api/health",
  // Readiness for load balancers: names its checks, nothing secret (lib/monitoring/readiness.ts). /metrics is not
  // listed: without METRICS_TOKEN it must refuse.
  "/api/ready",
  // The dealer's logo and favicon on the payer's pages (lib/branding/brand-image.ts).
  "/brand/logo",
  "/brand/favicon",
  "/sandbox",
  "/sandbox/stripe.js",
  "/sandbox/stripe-api/[...path]",
  // Payer-facing automatic top-up (checkout opt-in, confirmation), public like /api/payments and rate-limited the
  // same way. Its manage page, /topup/manage/[token], is not listed: without a valid signed token it must refuse.
  "/api/topup/checkout",
  "/api/topup/confirm",
]);
const SANDBOX_ONLY = (route: string) => route === "/sandbox" || route.startsWith("/sandbox/");
const LOGIN = new Set(["/admin/login", "/admin/session"]);

interface AppRoute {
  file: string;
  route: string;
  methods: string[];
}

function appRoutes(): AppRoute[] {
  const appDir = path.join(ROOT, "app");
  return filesUnder(appDir)
    .filter((f) => /\/(route\.(ts|js)|page\.(tsx|ts|jsx|js))$/.test(f))
    .map((file) => {
      const rel = path.relative(appDir, path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith("@"));
      const route = "/" + rel.join("/");
      const source = fs.readFileSync(file, "utf8");
      const methods = /\/page\.\w+$/.test(file)
        ? ["GET"]
        : [...source.matchAll(/export\s+(?:async\s+)?(?:function|const)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
      return { file: path.relative(ROOT, file), route, methods };
    });
}

function concretePath(route: string): string {
  return route
    .replace(/\[\[\.\.\.[^\]]+\]\]/g, "")
    .replace(/\[\.\.\.[^\]]+\]/g, "e2e/anonymous")
    .replace(/\[[^\]]+\]/g, "e2e-anonymous");
}

test("every non-public page and route refuses an anonymous request", async ({ request, stack }) => {
  const routes = appRoutes();
  expect(routes.length).toBeGreaterThan(5);
  for (const r of routes) expect(r.methods.length, `${r.file} exports no HTTP method`).toBeGreaterThan(0);
  const report: string[] = [];
  for (const { route, methods, file } of routes) {
    for (const method of methods) {
      const url = concretePath(route);
      const response = await request.fetch(url, {
        method,
        maxRedirects: 0,
        headers: method === "GET" ? {} : { "content-type": "application/x-www-form-urlencoded", origin: stack.appUrl },
        data: method === "GET" ? undefined : "",
      });
      const status = response.status();
      const location = response.headers()["location"] ?? "";
      report.push(`${method} ${url} (${file}) → ${status}${location ? ` ${location}` : ""}`);
      // 503 is readiness's own answer while this instance is not ready (lib/monitoring/readiness.ts).
      if (!(route === "/api/ready" && status === 503)) expect(status, `${method} ${url}: never a server error`).toBeLessThan(500);
      if (PUBLIC.has(route)) {
        if (SANDBOX_ONLY(route) && !stack.sandbox) expect(status, `${method} ${url} outside sandbox mode`).toBe(404);
        continue;
      }
      const toLogin = status >= 300 && status < 400 && /\/login\b/.test(location);
      if (LOGIN.has(route)) {
        // The sign-in form may be shown; the endpoint it posts to must not sign an empty password in.
        if (method !== "GET") expect(status >= 400 || toLogin, `${method} ${url} signed an anonymous request in`).toBe(true);
        continue;
      }
      expect([401, 403, 404].includes(status) || toLogin, `${method} ${url} (${file}) answered ${status} to an anonymous request`).toBe(true);
    }
  }
  test.info().annotations.push({ type: "routes", description: report.join("\n") });
});
