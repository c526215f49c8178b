// Hostile input against the public surface: malformed bodies, headers, signatures and query strings, generated
// from a seeded PRNG (the same seed sends the same requests), bounded in count and time, loopback only.
// Every request is built to be invalid (no valid signature over a storable event, no amount a payment could be
// created with), so the ledger must not change. Used by lib/security/fuzz.int.test.ts (route handlers, both
// databases) and by the resilience suite (`next start`, pages included).
import Stripe from "stripe";

export interface FuzzOptions {
  baseUrl: string;
  seed: number;
  count: number;
  timeBudgetMs: number;
  webhookSecret: string;
  /** Navixy users that exist: only ever sent with amounts outside the limits. */
  knownUserIds: number[];
  /** Also fuzz the HTML pages (/ and /payment/complete): needs `next start` (the proxy). */
  pages?: boolean;
  concurrency?: number;
}

export interface FuzzReport {
  sent: number;
  byTarget: Record<string, Record<string, number>>;
  serverErrors: { target: string; status: number; detail: string }[];
  networkErrors: number;
  elapsedMs: number;
}

/** mulberry32: small, fast, good enough to vary inputs reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Req {
  target: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const stripe = new Stripe("sk_test_fuzz_unused", { maxNetworkRetries: 0 });

export function generator(o: FuzzOptions) {
  const r = prng(o.seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,;:=/?&%#\"'{}[]<>\\ \t$@!*()+|~`^";
  const str = (max: number) => Array.from({ length: int(max) }, () => chars[int(chars.length)]).join("");
  const unicode = () => pick(["\u0000", "\u202e", "😀", "\uFFFD", "é", "\u2028", "%00", "%ff", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x}"]);
  const weird = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => true,
      () => -1,
      () => 0,
      () => 1.5,
      () => 1e308,
      () => -0,
      () => "12",
      () => str(40),
      () => unicode(),
      () => [],
      () => ({}),
      () => [1, 2, 3],
      () => ({ $gt: 0 }),
      () => Number.MAX_SAFE_INTEGER + 2,
      () => "9".repeat(400),
    ])();
  const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
  const badAmount = () => pick<() => unknown>([() => 1, () => 0, () => -500, () => 1e12, () => 10.5, () => "1000", () => null, () => weird()])();
  const badUserId = () => pick<() => unknown>([() => 0, () => -1, () => 2 ** 31, () => 3_999_999_999, () => 777_000 + int(1000), () => "10001", () => weird()])();
  const xff = () => pick(["", `${int(256)}.${int(256)}.${int(256)}.${int(256)}`, str(30), `${str(10)}, ${int(256)}.1.1.1`, "::1", unicode()]);
  const safeHeader = (v: string) => v.replace(/[^\x20-\x7e]/g, "?");

  const paymentBody = (): { body: string | Buffer; type: string } => {
    const kind = int(10);
    const type = pick(["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json;;;"]);
    switch (kind) {
      case 0:
        return { body: str(200), type };
      case 1:
        return { body: Buffer.from(Array.from({ length: int(300) }, () => int(256))), type };
      case 2:
        return { body: JSON.stringify(deep(50 + int(2000))), type };
      case 3:
        return { body: JSON.stringify({ userId: pick(o.knownUserIds), amount: badAmount() }), type: "application/json" };
      case 4:
        return { body: JSON.stringify({ userId: badUserId(), amount: 1000 + int(5000) }), type: "application/json" };
      case 5:
        return { body: JSON.stringify({ userId: weird(), amount: weird(), extra: str(20) }), type };
      case 6:
        return { body: JSON.stringify([{ userId: pick(o.knownUserIds), amount: 1000 }]), type: "application/json" };
      case 7:
        return { body: `{"userId": ${pick(o.knownUserIds)}, "amount": 1000`, type: "application/json" }; // truncated
      case 8:
        return { body: "x".repeat(int(3) === 0 ? 2_000_000 : 5_000), type };
      default:
        return { body: `{"userId": ${pick(o.knownUserIds)}, "amount": ${pick([0, 1, 4, 100_000_01, 1e15])}, "__proto__": {"amount": 1000}}`, type: "application/json" };
    }
  };

  const webhook = (): Req => {
    const kind = int(9);
    const payloadObj = { id: `evt_${str(12)}`, type: pick(["payment_intent.succeeded", "charge.refunded", str(12)]), data: { object: { id: `pi_${str(10)}` } }, livemode: false, created: int(2e9) };
    let payload = pick([JSON.stringify(payloadObj), str(300), "", "{}", "[]", JSON.stringify(deep(200))]);
    const headers: Record<string, string> = { "content-type": pick(["application/json", "text/plain", "", "application/json; charset=utf-8"]) };
    const t = Math.floor(Date.now() / 1000);
    switch (kind) {
      case 0:
        break; // no signature
      case 1:
        headers["stripe-signature"] = safeHeader(str(120));
        break;
      case 2:
        headers["stripe-signature"] = `t=${t},v1=${Array.from({ length: 64 }, () => "0123456789abcdef"[int(16)]).join("")}`;
        break;
      case 3:
        // Signed, but with another secret.
        headers["stripe-signature"] = stripe.webhooks.generateTestHeaderString({ payload, secret: `whsec_${str(20).replace(/[^A-Za-z0-9]/g, "a")}` });
        break;
      case 4:
        // Signed with our secret, but long ago (a replay outside the tolerance).
        headers["stripe-signature"] = stripe.webhooks.generateTestHeaderString({ payload, secret: o.webhookSecret, timestamp: t - 3600 - int(1e6) });
        break;
      case 5: {
        // Signed with our secret over something that is not a storable event (not JSON, or id/type not strings).
        payload = pick([str(200), `{"id": ${int(1000)}, "type": "payment_intent.succeeded"}`, `{"id": "evt_x", "type": ${int(9)}}`, "null", "[1,2]", "{\"id\":null}"]);
        headers["stripe-signature"] = stripe.webhooks.generateTestHeaderString({ payload, secret: o.webhookSecret });
        break;
      }
      case 6:
        // A valid signature for one body, sent with another.
        headers["stripe-signature"] = stripe.webhooks.generateTestHeaderString({ payload: payload + " ", secret: o.webhookSecret });
        break;
      case 7:
        headers["stripe-signature"] = `t=${pick(["", "-1", "abc", "99999999999999999999", String(t)])},v1=,v0=${str(10)},${str(5)}`.replace(/[^\x20-\x7e]/g, "?");
        break;
      default:
        payload = "x".repeat(1024 * 1024 + 1 + int(1000));
        headers["stripe-signature"] = stripe.webhooks.generateTestHeaderString({ payload: "{}", secret: o.webhookSecret });
        break;
    }
    return { target: "POST /api/stripe/webhook", method: "POST", path: "/api/stripe/webhook" + (int(5) === 0 ? `?${encodeURIComponent(str(30))}` : ""), headers, body: payload };
  };

  const next = (): Req => {
    const which = int(o.pages ? 12 : 10);
    const common: Record<string, string> = {};
    if (int(3) === 0) common["x-forwarded-for"] = safeHeader(xff());
    if (int(4) === 0) common["x-request-id"] = safeHeader(str(150));
    if (int(6) === 0) common["x-gateway-checkout"] = safeHeader(str(100)); // the proxy's internal header, forged
    if (which <= 3) {
      const { body, type } = paymentBody();
      return { target: "POST /api/payments", method: "POST", path: "/api/payments", headers: { ...common, ...(type ? { "content-type": type } : {}) }, body };
    }
    if (which <= 6) {
      const w = webhook();
      return { ...w, headers: { ...common, ...w.headers } };
    }
    if (which === 7) {
      const id = pick([`pay_${str(26)}`, str(60), unicode(), "pay_" + "a".repeat(5000), "..%2F..%2Fetc", `pay_${"0".repeat(26)}`]);
      return { target: "GET /api/payments/[id]", method: "GET", path: `/api/payments/${encodeURIComponent(id)}?${encodeURIComponent(str(20))}=${encodeURIComponent(str(20))}`, headers: common };
    }
    if (which === 8) {
      const method = pick(["PUT", "DELETE", "PATCH", "GET", "OPTIONS"]);
      const path = pick(["/api/payments", "/api/stripe/webhook", "/api/health"]);
      if (method === "GET" && path !== "/api/health") return { target: `GET ${path}`, method, path, headers: common };
      return { target: `${method} ${path}`, method, path, headers: common, body: method === "GET" || method === "OPTIONS" ? undefined : str(50) };
    }
    if (which === 9) return { target: "GET /api/health", method: "GET", path: `/api/health?${encodeURIComponent(str(40))}`, headers: common };
    if (which === 10) {
      const id = pick([str(20), "-1", "0", "1e5", "99999999999", unicode(), "10001&id=10002", "%00", "10001".repeat(50)]);
      return { target: "GET /?id=", method: "GET", path: `/?id=${encodeURIComponent(id)}&${encodeURIComponent(str(10))}=1`, headers: common };
    }
    const pi = pick([`pi_${str(24)}`, str(40), unicode(), "pi_" + "a".repeat(300)]);
    return { target: "GET /payment/complete", method: "GET", path: `/payment/complete?payment_intent=${encodeURIComponent(pi)}&redirect_status=${encodeURIComponent(str(10))}`, headers: common };
  };
  return next;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const url = new URL(o.baseUrl);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) throw new Error(`fuzzing only runs against loopback, not ${url.hostname}`);
  const next = generator(o);
  const started = Date.now();
  const report: FuzzReport = { sent: 0, byTarget: {}, serverErrors: [], networkErrors: 0, elapsedMs: 0 };
  let issued = 0;
  const worker = async () => {
    while (issued < o.count && Date.now() - started < o.timeBudgetMs) {
      issued++;
      const req = next();
      let status: number | "net";
      let text = "";
      try {
        const res = await fetch(o.baseUrl + req.path, {
          method: req.method,
          headers: req.headers,
          body: typeof req.body === "string" || req.body === undefined ? req.body : new Uint8Array(req.body),
          redirect: "manual",
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        text = await res.text();
      } catch (error) {
        status = "net";
        text = (error as Error).message;
        report.networkErrors++;
      }
      report.sent++;
      const bucket = (report.byTarget[req.target] ??= {});
      bucket[String(status)] = (bucket[String(status)] ?? 0) + 1;
      if (typeof status === "number" && status >= 500) report.serverErrors.push({ target: req.target, status, detail: text.slice(0, 200) });
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  report.elapsedMs = Date.now() - started;
  return report;
}

/** Rows in every ledger table. */
export async function ledgerCounts(db: {
  payment: { count(): Promise<number> };
  paymentStatusChange: { count(): Promise<number> };
  stripeEvent: { count(): Promise<number> };
  balanceMovement: { count(): Promise<number> };
  navixyCall: { count(): Promise<number> };
}): Promise<Record<string, number>> {
  const [payments, statusChanges, events, movements, navixyCalls] = await Promise.all([
    db.payment.count(),
    db.paymentStatusChange.count(),
    db.stripeEvent.count(),
    db.balanceMovement.count(),
    db.navixyCall.count(),
  ]);
  return { payments, statusChanges, events, movements, navixyCalls };
}

export function formatFuzzReport(r: FuzzReport): string {
  const lines = Object.entries(r.byTarget)
    .sort()
    .map(([t, s]) => `  ${t.padEnd(28)} ${Object.entries(s).sort().map(([k, v]) => `${k}×${v}`).join(" ")}`);
  return `${r.sent} requests in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.serverErrors.length} 5xx, ${r.networkErrors} network errors\n${lines.join("\n")}`;
}
