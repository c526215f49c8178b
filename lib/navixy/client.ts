/**
 * Navixy Panel API client (the dealer's side: read users, credit balances, list transactions).
 *
 * Money rules: amounts and balances are decimal TEXT end to end. Outgoing amounts are spliced into the JSON body
 * as literals; incoming balances/amounts are read with a lossless JSON parser. No float ever touches them.
 *
 * Secrets: the password, the session hash and the API key hash never appear in error messages or in `log` fields.
 */
import { nodeHttpFetch, type NavixyFetch } from "./http";
import {
  NavixyApiError,
  NavixyTransportError,
  type NavixyErrorKind,
  type NavixyParamError,
} from "./errors";
import {
  isJsonObject,
  jsonToBoolean,
  jsonToDecimalText,
  jsonToNumber,
  jsonToString,
  parseJsonLossless,
  type JsonValue,
} from "./json";

export interface NavixyUser {
  id: number;
  dealerId: number | null;
  login: string;
  firstName: string;
  middleName: string;
  lastName: string;
  legalName: string;
  /** "individual" | "legal_entity" | "sole_trader" as sent by Navixy ("" if absent). */
  legalType: string;
  /** Decimal text exactly as Navixy sent it (e.g. "12.50"), in the dealer's currency. */
  balance: string;
  bonus: string;
  activated: boolean;
}

export interface NavixyTransaction {
  /** Signed decimal text exactly as received. */
  amount: string;
  type: string;
  subtype: string;
  /** "YYYY-MM-DD HH:MM:SS" as received. */
  timestamp: string;
  /** From `description` or `text` (the docs disagree on the field name). */
  text: string;
}

/** What the gateway reads of `panel/dealer/get_info`. */
export interface NavixyDealerInfo {
  id: number | null;
  /** The dealer's brand name ("" if absent). */
  title: string;
  /** The dealer's default locale as Navixy writes it, e.g. "en_US", "ru_RU" ("" if absent). */
  locale: string;
  /** The dealer's user interface domain ("" if absent). */
  domain: string;
  /** The dealer's logo and favicon: a URL or a path on the dealer's domain ("" if none is uploaded). */
  logo: string;
  favicon: string;
}

/** What the gateway reads of `panel/dealer/settings/service/read` for the payer's page. */
export interface NavixyServiceSettings {
  /** The user interface's colour theme by name ("aqua"...), "" if absent. */
  colorTheme: string;
  serviceTitle: string;
  domain: string;
  logo: string;
  favicon: string;
}

export type NavixyLog = (msg: string, fields?: Record<string, unknown>) => void;

/** How a call that moves money is bounded. */
export interface MoneyCallOptions {
  /**
   * The whole call ends by this time: its request, and after an ended session the new login and the request sent
   * again, each get at most what is left of it, and no request is sent once it has passed. So the caller knows
   * from its own clock when the call stopped being on its way to Navixy.
   */
  deadline?: Date;
}

export interface NavixyPanelClientOptions {
  /** e.g. https://api.eu.navixy.com/v2 or http://127.0.0.1:12112/v2, with or without trailing slash. */
  apiUrl: string;
  login: string;
  password: string;
  /** API key hash for `balance/refill` (not the panel session). */
  apiHash?: string;
  /** Per request, including reading the body. Default 15000. A money call's deadline may cut it shorter. */
  timeoutMs?: number;
  /** The transport (default: node:http(s) with kept-alive connections, lib/navixy/http.ts); tests pass fakes. */
  fetch?: NavixyFetch;
  log?: NavixyLog;
  /** Sessions last 24h and cannot be renewed; log in again after this age. Default 23h. */
  sessionMaxAgeMs?: number;
  /** For tests. */
  now?: () => number;
}

/** Signed decimal with at most 2 decimals and no leading zeros (so it is also a valid JSON number literal). */
export const NAVIXY_AMOUNT_RE = /^-?(?:0|[1-9]\d{0,11})(?:\.\d{1,2})?$/;

/**
 * Validates an amount for change_balance/refill and returns it unchanged. At most 12 integer digits so that it
 * stays exact even if Navixy parses it as a double. Zero is rejected: a zero transaction is always a bug.
 */
export function validateNavixyAmount(amount: string, opts: { allowNegative: boolean }): string {
  if (typeof amount !== "string" || !NAVIXY_AMOUNT_RE.test(amount)) {
    throw new Error(
      `Invalid Navixy amount ${JSON.stringify(amount)}: expected a decimal string like "25.00" or "-3.10" ` +
        `(at most 2 decimals, no leading zeros, no exponent)`,
    );
  }
  if (/^-?0(\.0{1,2})?$/.test(amount)) throw new Error(`Invalid Navixy amount "${amount}": must not be zero`);
  if (!opts.allowNegative && amount.startsWith("-")) {
    throw new Error(`Invalid Navixy amount "${amount}": must be positive`);
  }
  return amount;
}

/** Navixy accepts 5-200 characters; checked strictly both ways (code points ≥ 5, UTF-16 units ≤ 200). */
export function validateNavixyText(text: string): string {
  if (typeof text !== "string") throw new Error("Invalid Navixy transaction text: not a string");
  const codePoints = Array.from(text).length;
  if (codePoints < 5 || text.length > 200) {
    throw new Error(`Invalid Navixy transaction text: must be 5-200 characters, got ${codePoints}`);
  }
  return text;
}

/** UTC "YYYY-MM-DD HH:MM:SS". */
export function formatNavixyDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error("Invalid date");
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/** The JSON body for change_balance, with `amount` as an exact number literal. */
export function buildChangeBalanceBody(args: { userId: number; amount: string; text: string }): string {
  assertUserId(args.userId);
  const amount = validateNavixyAmount(args.amount, { allowNegative: true });
  const text = validateNavixyText(args.text);
  return `{"user_id":${args.userId},"amount":${amount},"type":"balance","text":${JSON.stringify(text)}}`;
}

function assertUserId(userId: number): void {
  if (!Number.isSafeInteger(userId) || userId <= 0) throw new Error(`Invalid Navixy user id: ${String(userId)}`);
}

/** Sign of a decimal text: 1, -1, or 0 (zero or not a number). */
export function decimalSign(amount: string): 1 | -1 | 0 {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(amount);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return 0;
  if (/^0*$/.test(m[2] ?? "") && /^0*$/.test(m[3] ?? "")) return 0;
  return m[1] === "-" ? -1 : 1;
}

/** First transaction whose text contains `reference` and whose amount has the given sign. */
export function findTransactionByReference(
  txs: readonly NavixyTransaction[],
  q: { reference: string; sign: 1 | -1 },
): NavixyTransaction | undefined {
  if (!q.reference) throw new Error("findTransactionByReference: empty reference");
  return txs.find((t) => t.text.includes(q.reference) && decimalSign(t.amount) === q.sign);
}

// Failures where the request certainly did not leave this process / reach the server.
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_INVALID_URL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function errorCodes(err: unknown, depth = 0): string[] {
  if (depth > 4 || typeof err !== "object" || err === null) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const out: string[] = [];
  if (typeof e.code === "string") out.push(e.code);
  out.push(...errorCodes(e.cause, depth + 1));
  if (Array.isArray(e.errors)) for (const sub of e.errors) out.push(...errorCodes(sub, depth + 1));
  return out;
}

interface RawResponse {
  status: number;
  text: string;
}

/** The calls that move money: never sent twice by the transport. */
const MONEY_CALLS = new Set(["panel/user/transaction/change_balance", "balance/refill"]);

interface CallOptions {
  /** "panel/user/read" etc., for messages and logs. */
  method: string;
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
  /** Log fields safe to show (never secrets). */
  logFields?: Record<string, unknown>;
  /** Overrides the kind of API errors (refill: a wrong hash is configuration, not a session). */
  kindOverride?: (code: number) => NavixyErrorKind | undefined;
  /** A money call's deadline (epoch ms): the request gets at most what is left of it, and is not sent after it. */
  deadline?: number;
}

export class NavixyPanelClient {
  private readonly base: string;
  private readonly login: string;
  private readonly password: string;
  private readonly apiHash: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: NavixyFetch;
  private readonly logFn: NavixyLog | undefined;
  private readonly sessionMaxAgeMs: number;
  private readonly now: () => number;

  private session: { hash: string; obtainedAt: number } | undefined;
  private loginInFlight: Promise<string> | undefined;
  /** Recent session hashes, kept only to redact them. */
  private readonly pastHashes: string[] = [];

  constructor(opts: NavixyPanelClientOptions) {
    if (!opts.apiUrl) throw new Error("NavixyPanelClient: apiUrl is required");
    if (!opts.login || !opts.password) throw new Error("NavixyPanelClient: login and password are required");
    this.base = opts.apiUrl.replace(/\/+$/, "");
    this.login = opts.login;
    this.password = opts.password;
    this.apiHash = opts.apiHash || undefined;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.fetchImpl = opts.fetch ?? nodeHttpFetch;
    this.logFn = opts.log;
    this.sessionMaxAgeMs = opts.sessionMaxAgeMs ?? 23 * 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  // ---------------------------------------------------------------- public methods

  async readUser(userId: number): Promise<NavixyUser> {
    assertUserId(userId);
    const res = await this.panelCall("panel/user/read", JSON.stringify({ user_id: userId }), { userId });
    const v = res["value"];
    if (!isJsonObject(v)) throw this.unexpected("panel/user/read", "no `value` object in the answer");
    const id = jsonToNumber(v["id"]);
    const dealerId = jsonToNumber(v["dealer_id"]);
    return {
      id: id !== undefined && Number.isSafeInteger(id) ? id : userId,
      dealerId: dealerId !== undefined && Number.isSafeInteger(dealerId) ? dealerId : null,
      login: jsonToString(v["login"]) ?? "",
      firstName: jsonToString(v["first_name"]) ?? "",
      middleName: jsonToString(v["middle_name"]) ?? "",
      lastName: jsonToString(v["last_name"]) ?? "",
      legalName: jsonToString(v["legal_name"]) ?? "",
      legalType: jsonToString(v["legal_type"]) ?? "",
      // A missing balance reads as "0" rather than failing the whole page; crediting never uses this value.
      balance: jsonToDecimalText(v["balance"]) ?? "0",
      bonus: jsonToDecimalText(v["bonus"]) ?? "0",
      activated: jsonToBoolean(v["activated"]) ?? false,
    };
  }

  /**
   * Credits (positive) or debits (negative) the user's balance. NOT idempotent: put the reference in `text`.
   * On an ended session it logs in again and sends the call once more, all within `opts.deadline`.
   */
  async changeBalance(args: { userId: number; amount: string; text: string }, opts: MoneyCallOptions = {}): Promise<void> {
    const body = buildChangeBalanceBody(args);
    await this.panelCall(
      "panel/user/transaction/change_balance",
      body,
      { userId: args.userId, amount: args.amount },
      opts.deadline?.getTime(),
    );
  }

  /** The alternative crediting call from Navixy's payment-gateway page, authenticated by the API key hash. */
  async refillBalance(args: { userId: number; amount: string; comment?: string }, opts: MoneyCallOptions = {}): Promise<void> {
    if (!this.apiHash) throw new Error("NavixyPanelClient: apiHash is required for refillBalance");
    assertUserId(args.userId);
    const amount = validateNavixyAmount(args.amount, { allowNegative: false });
    const q = new URLSearchParams({ hash: this.apiHash, user_id: String(args.userId), amount });
    if (args.comment !== undefined) q.set("comment", args.comment);
    await this.call({
      method: "balance/refill",
      url: `${this.base}/balance/refill?${q.toString()}`,
      init: { method: "GET", headers: { Accept: "application/json" } },
      logFields: { userId: args.userId, amount },
      // Re-login cannot fix a wrong/expired API key hash: it is a configuration problem.
      kindOverride: (code) => (code === 3 || code === 4 ? "permanent" : undefined),
      ...(opts.deadline ? { deadline: opts.deadline.getTime() } : {}),
    });
  }

  async listTransactions(args: { userId: number; from: Date; to: Date; limit?: number }): Promise<NavixyTransaction[]> {
    assertUserId(args.userId);
    const params: Record<string, unknown> = {
      user_id: args.userId,
      from: formatNavixyDate(args.from),
      to: formatNavixyDate(args.to),
    };
    if (args.limit !== undefined) params["limit"] = args.limit;
    const res = await this.panelCall("panel/user/transaction/list", JSON.stringify(params), { userId: args.userId });
    const list = res["list"] ?? res["value"];
    if (!Array.isArray(list)) throw this.unexpected("panel/user/transaction/list", "no `list` array in the answer");
    return list.filter(isJsonObject).map((t) => ({
      amount: jsonToDecimalText(t["amount"]) ?? "0",
      type: jsonToString(t["type"]) ?? "",
      subtype: jsonToString(t["subtype"]) ?? "",
      timestamp: jsonToString(t["timestamp"]) ?? "",
      text: jsonToString(t["description"]) ?? jsonToString(t["text"]) ?? "",
    }));
  }

  /** The dealer's currency (ISO 4217, upper case): every balance and amount is in it. */
  async readDealerCurrency(): Promise<string> {
    const res = await this.panelCall("panel/dealer/settings/service/read", "{}", {});
    const v = res["value"];
    const currency = isJsonObject(v) ? jsonToString(v["currency"]) : undefined;
    const upper = currency?.trim().toUpperCase();
    if (!upper || !/^[A-Z]{3}$/.test(upper)) {
      throw this.unexpected("panel/dealer/settings/service/read", "no valid `value.currency` in the answer");
    }
    return upper;
  }

  /**
   * The dealer's profile (`panel/dealer/get_info`, permission `base: get_dealer_info`). Navixy's reference puts the
   * fields at the top level of the answer; an answer that wraps them in `value` is read too.
   */
  async readDealerInfo(): Promise<NavixyDealerInfo> {
    const res = await this.panelCall("panel/dealer/get_info", "{}", {});
    const v = isJsonObject(res["value"]) ? res["value"] : res;
    const id = jsonToNumber(v["id"]);
    return {
      id: id !== undefined && Number.isSafeInteger(id) ? id : null,
      title: jsonToString(v["title"]) ?? "",
      locale: jsonToString(v["locale"])?.trim() ?? "",
      domain: jsonToString(v["domain"]) ?? "",
      logo: jsonToString(v["logo"])?.trim() ?? "",
      favicon: jsonToString(v["favicon"])?.trim() ?? "",
    };
  }

  /** The look of the dealer's service (`panel/dealer/settings/service/read`): colour theme, title, images. */
  async readServiceSettings(): Promise<NavixyServiceSettings> {
    const res = await this.panelCall("panel/dealer/settings/service/read", "{}", {});
    const v = isJsonObject(res["value"]) ? res["value"] : {};
    const text = (key: string) => jsonToString(v[key])?.trim() ?? "";
    return {
      colorTheme: text("color_theme"),
      serviceTitle: text("service_title"),
      domain: text("domain"),
      logo: text("logo"),
      favicon: text("favicon"),
    };
  }

  /** Forgets the cached session (the next call logs in). */
  resetSession(): void {
    this.session = undefined;
  }

  /** Logs in now unless a session is held, so that a money call's deadline is spent on the call itself. */
  async signIn(): Promise<void> {
    await this.getHash();
  }

  // ---------------------------------------------------------------- sessions

  private async getHash(): Promise<string> {
    const s = this.session;
    if (s && this.now() - s.obtainedAt < this.sessionMaxAgeMs) return s.hash;
    // One login in flight at a time: concurrent callers share it.
    if (!this.loginInFlight) {
      this.loginInFlight = this.doLogin().finally(() => {
        this.loginInFlight = undefined;
      });
    }
    return this.loginInFlight;
  }

  private async doLogin(): Promise<string> {
    const res = await this.call({
      method: "panel/account/auth",
      url: `${this.base}/panel/account/auth`,
      init: {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ login: this.login, password: this.password }),
      },
    });
    const hash = jsonToString(res["hash"]);
    if (!hash) throw this.unexpected("panel/account/auth", "no `hash` in the answer");
    this.session = { hash, obtainedAt: this.now() };
    this.pastHashes.push(hash);
    if (this.pastHashes.length > 8) this.pastHashes.shift();
    return hash;
  }

  /**
   * A session-authenticated call: on code 3/4 log in again once and retry once (an error envelope = not applied).
   * With a deadline (a money call) the logins and both requests all end by it, and nothing is sent after it.
   */
  private async panelCall(
    method: string,
    body: string,
    logFields: Record<string, unknown>,
    deadline?: number,
  ): Promise<{ [key: string]: JsonValue }> {
    const attempt = async (hash: string) =>
      this.call({
        method,
        url: `${this.base}/${method}`,
        init: {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `NVX ${hash}` },
          body,
        },
        logFields,
        ...(deadline !== undefined ? { deadline } : {}),
      });
    const hash = await this.sessionFor(method, deadline);
    try {
      return await attempt(hash);
    } catch (e) {
      if (!(e instanceof NavixyApiError) || e.kind !== "session") throw e;
      // Only drop the session if nobody replaced it meanwhile, so concurrent failures cause one login.
      if (this.session?.hash === hash) this.session = undefined;
      this.log("navixy.relogin", { method, code: e.code });
      return attempt(await this.sessionFor(method, deadline));
    }
  }

  /**
   * A session for a call of `method`. For a money call (a deadline), waiting for the login ends at the deadline,
   * and a login that fails is reported as the call not sent: nothing of `method` went out after it, and an
   * earlier request refused for its session did not apply.
   */
  private async sessionFor(method: string, deadline: number | undefined): Promise<string> {
    if (deadline === undefined) return this.getHash();
    if (deadline - Date.now() <= 0) throw this.notSent(method, "its deadline passed before a session was ready");
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.getHash(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.notSent(method, "its deadline passed while logging in")), deadline - Date.now());
        }),
      ]);
    } catch (e) {
      if (e instanceof NavixyTransportError && e.maybeApplied) throw this.notSent(method, `the login before it failed (${e.message})`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- transport

  private async call(c: CallOptions): Promise<{ [key: string]: JsonValue }> {
    const started = this.now();
    let raw: RawResponse;
    try {
      raw = await this.send(c);
    } catch (e) {
      const phase = e instanceof NavixyTransportError ? e.phase : undefined;
      this.log("navixy.call", { method: c.method, ...c.logFields, durationMs: this.now() - started, outcome: "transport_error", phase, error: errMsg(e) });
      throw e;
    }
    const durationMs = this.now() - started;

    let parsed: JsonValue | undefined;
    try {
      parsed = parseJsonLossless(raw.text);
    } catch {
      parsed = undefined;
    }
    if (!isJsonObject(parsed)) {
      this.log("navixy.call", { method: c.method, ...c.logFields, httpStatus: raw.status, durationMs, outcome: "bad_body" });
      throw new NavixyTransportError({
        method: c.method,
        phase: "response",
        maybeApplied: true,
        httpStatus: raw.status,
        message: `unexpected answer (HTTP ${raw.status}, ${raw.text.trim() === "" ? "empty body" : "not a JSON envelope"})`,
      });
    }
    if (parsed["success"] === true) {
      this.log("navixy.call", { method: c.method, ...c.logFields, httpStatus: raw.status, durationMs, outcome: "ok" });
      return parsed;
    }
    const status = parsed["status"];
    const code = isJsonObject(status) ? jsonToNumber(status["code"]) : undefined;
    if (code === undefined || !Number.isInteger(code)) {
      this.log("navixy.call", { method: c.method, ...c.logFields, httpStatus: raw.status, durationMs, outcome: "bad_body" });
      throw new NavixyTransportError({
        method: c.method,
        phase: "response",
        maybeApplied: true,
        httpStatus: raw.status,
        message: `unexpected answer (HTTP ${raw.status}, JSON without success or status.code)`,
      });
    }
    const description = this.redact((isJsonObject(status) && jsonToString(status["description"])) || "");
    const errors = parseParamErrors(parsed["errors"] ?? (isJsonObject(status) ? status["errors"] : undefined));
    const err = new NavixyApiError({
      method: c.method,
      code,
      description,
      httpStatus: raw.status,
      ...(errors ? { errors: errors.map((x) => ({ parameter: this.redact(x.parameter), error: this.redact(x.error) })) } : {}),
      ...(c.kindOverride?.(code) ? { kind: c.kindOverride(code) } : {}),
    });
    this.log("navixy.call", {
      method: c.method,
      ...c.logFields,
      httpStatus: raw.status,
      durationMs,
      outcome: "api_error",
      code,
      kind: err.kind,
    });
    throw err;
  }

  private async send(c: CallOptions): Promise<RawResponse> {
    // A money call's request gets what is left of its deadline, and is never sent once it has passed.
    const budgetMs = c.deadline === undefined ? this.timeoutMs : Math.min(this.timeoutMs, c.deadline - Date.now());
    if (budgetMs <= 0) throw this.notSent(c.method, "its deadline passed before it was sent");
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, budgetMs);
    try {
      // A read or a login is sent again by the transport when a kept-alive connection was closed under it; a money
      // call never is (its caller looks it up: lib/payments/outbox/send-movement.ts).
      const res = await this.fetchImpl(c.url, { ...c.init, signal: controller.signal, retryOnStaleConnection: !MONEY_CALLS.has(c.method) });
      const text = await res.text();
      return { status: res.status, text };
    } catch (e) {
      if (timedOut) {
        throw new NavixyTransportError({
          method: c.method,
          phase: "timeout",
          maybeApplied: true,
          message: `no answer within ${budgetMs} ms${budgetMs < this.timeoutMs ? " (its deadline)" : ""} (the call may have been applied)`,
        });
      }
      const codes = errorCodes(e);
      const connectCode = codes.find((x) => CONNECT_CODES.has(x));
      if (connectCode || (e instanceof TypeError && /invalid url/i.test(e.message))) {
        throw new NavixyTransportError({
          method: c.method,
          phase: "connect",
          maybeApplied: false,
          causeCode: connectCode ?? "ERR_INVALID_URL",
          message: `could not connect (${connectCode ?? "invalid URL"}); the request was not sent`,
        });
      }
      const causeCode = codes[0];
      throw new NavixyTransportError({
        method: c.method,
        phase: "response",
        maybeApplied: true,
        ...(causeCode ? { causeCode } : {}),
        message: `connection failed during the request (${causeCode ?? "unknown error"}); the call may have been applied`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- helpers

  private notSent(method: string, why: string): NavixyTransportError {
    return new NavixyTransportError({ method, phase: "not_sent", maybeApplied: false, message: `not sent: ${why}` });
  }

  private unexpected(method: string, what: string): NavixyTransportError {
    return new NavixyTransportError({ method, phase: "response", maybeApplied: true, message: `unexpected answer: ${what}` });
  }

  /** Replaces every secret we hold by "[redacted]". */
  redact(s: string): string {
    let out = s;
    for (const secret of [this.password, this.apiHash, ...this.pastHashes]) {
      if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  private log(msg: string, fields: Record<string, unknown>): void {
    if (!this.logFn) return;
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) safe[k] = typeof v === "string" ? this.redact(v) : v;
    try {
      this.logFn(msg, safe);
    } catch {
      // A failing logger must not fail a money operation.
    }
  }
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function parseParamErrors(v: JsonValue | undefined): NavixyParamError[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: NavixyParamError[] = [];
  for (const item of v) {
    if (!isJsonObject(item)) continue;
    out.push({ parameter: jsonToString(item["parameter"]) ?? "", error: jsonToString(item["error"]) ?? "" });
  }
  return out;
}
