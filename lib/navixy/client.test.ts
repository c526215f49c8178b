import { describe, expect, it } from "vitest";
import {
  NavixyPanelClient,
  buildChangeBalanceBody,
  decimalSign,
  findTransactionByReference,
  formatNavixyDate,
  validateNavixyAmount,
  validateNavixyText,
  type NavixyTransaction,
} from "./client";
import { NavixyApiError, NavixyTransportError } from "./errors";
import { JsonNumber, parseJsonLossless } from "./json";

describe("amount literal", () => {
  it("accepts signed decimals with at most 2 decimals", () => {
    for (const a of ["25", "25.0", "25.00", "-3.10", "0.01", "-0.5", "999999999999.99"]) {
      expect(validateNavixyAmount(a, { allowNegative: true })).toBe(a);
    }
  });

  it("rejects anything that is not an exact JSON number literal with ≤ 2 decimals", () => {
    for (const a of ["", "1.234", "1e3", "01.00", "+1.00", "1,00", " 1.00", "1.", ".5", "NaN", "0", "0.00", "-0.0", "1000000000000.00"]) {
      expect(() => validateNavixyAmount(a, { allowNegative: true }), a).toThrow(/Invalid Navixy amount/);
    }
    expect(() => validateNavixyAmount("-1.00", { allowNegative: false })).toThrow(/positive/);
    expect(() => validateNavixyAmount(1 as unknown as string, { allowNegative: true })).toThrow();
  });

  it("splices the amount into the body verbatim", () => {
    const body = buildChangeBalanceBody({ userId: 7, amount: "25.10", text: 'Top-up "ref" 1' });
    expect(body).toBe('{"user_id":7,"amount":25.10,"type":"balance","text":"Top-up \\"ref\\" 1"}');
    expect(JSON.parse(body)).toEqual({ user_id: 7, amount: 25.1, type: "balance", text: 'Top-up "ref" 1' });
    expect(buildChangeBalanceBody({ userId: 7, amount: "-0.07", text: "refund x" })).toContain('"amount":-0.07,');
  });

  it("validates the text length (5-200)", () => {
    expect(() => validateNavixyText("abcd")).toThrow(/5-200/);
    expect(validateNavixyText("abcde")).toBe("abcde");
    expect(validateNavixyText("x".repeat(200))).toHaveLength(200);
    expect(() => validateNavixyText("x".repeat(201))).toThrow(/5-200/);
    expect(() => buildChangeBalanceBody({ userId: 1, amount: "1.00", text: "ab" })).toThrow(/5-200/);
    expect(() => buildChangeBalanceBody({ userId: 0, amount: "1.00", text: "abcde" })).toThrow(/user id/);
  });
});

describe("helpers", () => {
  it("formats dates in UTC", () => {
    expect(formatNavixyDate(new Date("2024-03-05T07:08:09.999Z"))).toBe("2024-03-05 07:08:09");
  });

  it("finds a transaction by reference and sign", () => {
    const txs: NavixyTransaction[] = [
      { amount: "-25.00", type: "balance", subtype: "manual", timestamp: "", text: "Refund pi_1" },
      { amount: "0.00", type: "balance", subtype: "manual", timestamp: "", text: "pi_1 zero" },
      { amount: "25.00", type: "balance", subtype: "manual", timestamp: "", text: "Stripe top-up pi_1" },
    ];
    expect(findTransactionByReference(txs, { reference: "pi_1", sign: 1 })).toBe(txs[2]);
    expect(findTransactionByReference(txs, { reference: "pi_1", sign: -1 })).toBe(txs[0]);
    expect(findTransactionByReference(txs, { reference: "pi_2", sign: 1 })).toBeUndefined();
    expect(decimalSign("-0.00")).toBe(0);
    expect(decimalSign("0.01")).toBe(1);
    expect(decimalSign("-1")).toBe(-1);
  });

  it("parses JSON keeping number literals", () => {
    const v = parseJsonLossless('{"a": 12.50, "b": [1e3, -0.07, "x\\"y"], "__proto__": {"c": true}, "n": null}');
    expect(v).toMatchObject({ a: new JsonNumber("12.50"), b: [new JsonNumber("1e3"), new JsonNumber("-0.07"), 'x"y'] });
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect((v as Record<string, unknown>)["__proto__"]).toEqual({ c: true });
    expect(parseJsonLossless("123456789012345678.99")).toEqual(new JsonNumber("123456789012345678.99"));
    for (const bad of ["", "{", '{"a":}', "[1,]", "01", "{} x", "'a'"]) expect(() => parseJsonLossless(bad), bad).toThrow(SyntaxError);
  });
});

/** A fake fetch answering from a queue, recording requests. */
function fakeFetch(answers: (Response | Error)[]) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fn = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), init });
    const a = answers.shift();
    if (!a) throw new Error("no more answers");
    if (a instanceof Error) throw a;
    return a;
  }) as typeof fetch;
  return { fn, requests };
}

const json = (v: unknown, status = 200) => new Response(typeof v === "string" ? v : JSON.stringify(v), { status });
const auth = () => json({ success: true, hash: "sessionhash123" });

describe("NavixyPanelClient with a fake fetch", () => {
  it("keeps the balance literal as received and maps the user", async () => {
    const f = fakeFetch([
      auth(),
      json('{"success":true,"value":{"id":5,"dealer_id":1,"login":"a@b.c","first_name":"Jane","last_name":"Smith","balance":12.50,"bonus":0,"activated":true}}'),
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://api.example.com/v2/", login: "1", password: "pw-secret", fetch: f.fn });
    const u = await c.readUser(5);
    expect(u).toEqual({
      id: 5,
      dealerId: 1,
      login: "a@b.c",
      firstName: "Jane",
      middleName: "",
      lastName: "Smith",
      legalName: "",
      legalType: "",
      balance: "12.50",
      bonus: "0",
      activated: true,
    });
    expect(f.requests.map((r) => r.url)).toEqual([
      "https://api.example.com/v2/panel/account/auth",
      "https://api.example.com/v2/panel/user/read",
    ]);
    expect(new Headers(f.requests[1]!.init!.headers).get("authorization")).toBe("NVX sessionhash123");
  });

  it("sends change_balance with the exact amount literal", async () => {
    const f = fakeFetch([auth(), json({ success: true })]);
    const c = new NavixyPanelClient({ apiUrl: "https://api.example.com/v2", login: "1", password: "pw-secret", fetch: f.fn });
    await c.changeBalance({ userId: 5, amount: "19.90", text: "Stripe top-up pi_1" });
    expect(f.requests[1]!.init!.body).toBe('{"user_id":5,"amount":19.90,"type":"balance","text":"Stripe top-up pi_1"}');
  });

  it("lets the transport send a login or a read again on a closed kept-alive connection, never a money call", async () => {
    const f = fakeFetch([auth(), json({ success: true }), json('{"success":true,"value":{"id":5,"balance":1}}')]);
    const c = new NavixyPanelClient({ apiUrl: "https://api.example.com/v2", login: "1", password: "pw-secret", fetch: f.fn });
    await c.changeBalance({ userId: 5, amount: "19.90", text: "Stripe top-up pi_1" });
    await c.readUser(5);
    const retried = f.requests.map((r) => (r.init as { retryOnStaleConnection?: boolean }).retryOnStaleConnection);
    expect(retried).toEqual([true, false, true]);
  });

  it("normalises transactions from description or text", async () => {
    const f = fakeFetch([
      auth(),
      json('{"success":true,"list":[{"amount":25.00,"type":"balance","subtype":"manual","timestamp":"2024-01-01 10:00:00","description":"a pi_1"},{"amount":"-1.5","type":"balance","subtype":"x","timestamp":"t","text":"b"}]}'),
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn });
    const txs = await c.listTransactions({ userId: 5, from: new Date("2024-01-01T00:00:00Z"), to: new Date("2024-01-02T00:00:00Z"), limit: 10 });
    expect(txs).toEqual([
      { amount: "25.00", type: "balance", subtype: "manual", timestamp: "2024-01-01 10:00:00", text: "a pi_1" },
      { amount: "-1.5", type: "balance", subtype: "x", timestamp: "t", text: "b" },
    ]);
    expect(JSON.parse(String(f.requests[1]!.init!.body))).toEqual({
      user_id: 5,
      from: "2024-01-01 00:00:00",
      to: "2024-01-02 00:00:00",
      limit: 10,
    });
  });

  it("maps envelopes, proxy pages and network errors", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) });
    const reset = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }) });
    const f = fakeFetch([
      auth(),
      json({ success: false, status: { code: 251, description: "Insufficient funds" } }, 403),
      json("<html>502</html>", 502),
      json({ success: false, status: { code: 7, description: "bad" }, errors: [{ parameter: "amount", error: "x" }] }, 400),
      refused,
      reset,
      json("{}", 200),
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn });
    const call = () => c.changeBalance({ userId: 5, amount: "-1.00", text: "debit x1" }).then(() => null, (e: unknown) => e);
    expect(await call()).toMatchObject({ constructor: NavixyApiError, code: 251, kind: "insufficient_funds", httpStatus: 403 });
    expect(await call()).toMatchObject({ constructor: NavixyTransportError, phase: "response", maybeApplied: true, httpStatus: 502 });
    expect(await call()).toMatchObject({ code: 7, errors: [{ parameter: "amount", error: "x" }] });
    expect(await call()).toMatchObject({ phase: "connect", maybeApplied: false, causeCode: "ECONNREFUSED" });
    expect(await call()).toMatchObject({ phase: "response", maybeApplied: true, causeCode: "UND_ERR_SOCKET" });
    expect(await call()).toMatchObject({ phase: "response", maybeApplied: true });
  });

  it("reads the dealer's locale from get_info, at the top level or under value", async () => {
    const f = fakeFetch([
      auth(),
      json({ success: true, id: 9000, title: "Navixy Demo", locale: "ru_RU", domain: "demo.navixy.com", logo: "paas/9000/logo.png", favicon: null }),
      json({ success: true, value: { id: 9001, locale: " de_DE " } }),
      json({ success: true }),
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn });
    expect(await c.readDealerInfo()).toEqual({ id: 9000, title: "Navixy Demo", locale: "ru_RU", domain: "demo.navixy.com", logo: "paas/9000/logo.png", favicon: "" });
    expect(await c.readDealerInfo()).toMatchObject({ id: 9001, locale: "de_DE" });
    expect(await c.readDealerInfo()).toEqual({ id: null, title: "", locale: "", domain: "", logo: "", favicon: "" });
    expect(f.requests.filter((r) => r.url.endsWith("/panel/dealer/get_info"))).toHaveLength(3);
  });

  it("reads the service's colour theme, title and images; absent fields are empty", async () => {
    const f = fakeFetch([
      auth(),
      json({ success: true, value: { currency: "EUR", color_theme: "aqua", service_title: " Acme GPS ", domain: "gps.acme.test", logo: "paas/5001/logo.png", favicon: "https://cdn.acme.test/f.ico" } }),
      json({ success: true, value: { currency: "EUR" } }),
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn });
    expect(await c.readServiceSettings()).toEqual({
      colorTheme: "aqua",
      serviceTitle: "Acme GPS",
      domain: "gps.acme.test",
      logo: "paas/5001/logo.png",
      favicon: "https://cdn.acme.test/f.ico",
    });
    expect(await c.readServiceSettings()).toEqual({ colorTheme: "", serviceTitle: "", domain: "", logo: "", favicon: "" });
  });

  it("renews the session proactively after 23h", async () => {
    let now = 1_000_000;
    const f = fakeFetch([auth(), json({ success: true, value: { currency: "eur" } }), auth(), json({ success: true, value: { currency: "USD" } })]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn, now: () => now });
    expect(await c.readDealerCurrency()).toBe("EUR");
    now += 23 * 3600e3 + 1;
    expect(await c.readDealerCurrency()).toBe("USD");
    expect(f.requests.filter((r) => r.url.endsWith("/panel/account/auth"))).toHaveLength(2);
  });
});

/** A fake fetch whose answers each come after a delay ("hang": never), and which stops at the request's abort. */
function timedFetch(script: { afterMs: number; answer: Response | "hang" }[]) {
  const requests: { url: string; at: number }[] = [];
  const started = Date.now();
  const fn = ((url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), at: Date.now() - started });
    const step = script.shift();
    if (!step) return Promise.reject(new Error("no more answers"));
    return new Promise<Response>((resolve, reject) => {
      const timer = step.answer === "hang" ? undefined : setTimeout(() => resolve(step.answer as Response), step.afterMs);
      init?.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }));
      });
    });
  }) as typeof fetch;
  return { fn, requests, started };
}

describe("a money call's deadline", () => {
  const sessionExpired = () => json({ success: false, status: { code: 4, description: "User session not found or session expired" } });

  it("bounds every request of one money call, the new login and the call sent again included", async () => {
    // The session has ended: the call is refused (slowly), the new login is slow, the call sent again hangs.
    const f = timedFetch([
      { afterMs: 0, answer: auth() },
      { afterMs: 60, answer: sessionExpired() },
      { afterMs: 60, answer: auth() },
      { afterMs: 0, answer: "hang" },
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn, timeoutMs: 400 });
    const deadline = new Date(Date.now() + 400);
    const e = await c.changeBalance({ userId: 5, amount: "1.00", text: "Stripe top-up pi_D1" }, { deadline }).then(() => null, (x: unknown) => x);
    const endedAt = Date.now();
    expect(f.requests.map((r) => r.url.split("/v2/")[1])).toEqual([
      "panel/account/auth",
      "panel/user/transaction/change_balance",
      "panel/account/auth",
      "panel/user/transaction/change_balance",
    ]);
    // The call sent again was given what was left of the deadline, not a timeout of its own.
    expect(endedAt).toBeLessThanOrEqual(deadline.getTime() + 40);
    expect(e).toMatchObject({ constructor: NavixyTransportError, phase: "timeout", maybeApplied: true });
  });

  it("sends no request once the deadline has passed; a call refused for its session and not sent again did not apply", async () => {
    const f = timedFetch([
      { afterMs: 0, answer: auth() },
      { afterMs: 80, answer: sessionExpired() },
      { afterMs: 0, answer: "hang" }, // the new login: still waiting at the deadline
    ]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn, timeoutMs: 1000 });
    const deadline = new Date(Date.now() + 150);
    const e = await c.changeBalance({ userId: 5, amount: "1.00", text: "Stripe top-up pi_D2" }, { deadline }).then(() => null, (x: unknown) => x);
    expect(Date.now()).toBeLessThanOrEqual(deadline.getTime() + 40);
    expect(f.requests.map((r) => r.url.split("/v2/")[1])).toEqual(["panel/account/auth", "panel/user/transaction/change_balance", "panel/account/auth"]);
    expect(e).toMatchObject({ constructor: NavixyTransportError, maybeApplied: false });
  });

  it("refuses to start a money call whose deadline has passed", async () => {
    const f = timedFetch([]);
    const c = new NavixyPanelClient({ apiUrl: "https://x/v2", login: "1", password: "pw-secret", fetch: f.fn, timeoutMs: 1000, apiHash: "api-hash-1234" });
    const deadline = new Date(Date.now() - 1);
    const change = await c.changeBalance({ userId: 5, amount: "1.00", text: "Stripe top-up pi_D3" }, { deadline }).then(() => null, (x: unknown) => x);
    const refill = await c.refillBalance({ userId: 5, amount: "1.00" }, { deadline }).then(() => null, (x: unknown) => x);
    expect(change).toMatchObject({ constructor: NavixyTransportError, maybeApplied: false });
    expect(refill).toMatchObject({ constructor: NavixyTransportError, maybeApplied: false });
    expect(f.requests).toHaveLength(0);
  });
});
