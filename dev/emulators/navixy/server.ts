/**
 * Navixy Panel API emulator: real HTTP on 127.0.0.1 with the methods the gateway uses, exact balances, and fault
 * injection (errors, delays, dropped connections before/after applying, proxy errors, held requests, outages).
 *
 * API under `/v2/...` (apiUrl = `${url}/v2`); controls under `/_emulator/...` (never subject to faults).
 *
 * Outage: `setOutage(true)` / `POST /_emulator/outage {down: true}` defaults to mode "refuse": the listening
 * socket is CLOSED (clients get ECONNREFUSED, i.e. "certainly not applied") and reopened on the same port when the
 * outage ends. While refused, the HTTP control endpoints are unreachable too, so over HTTP pass `durationMs` (or
 * use the programmatic `setOutage(false)` / restart). Mode "reset" keeps listening and destroys every API request's
 * socket as soon as it arrives (clients see a reset: "maybe applied"); controls keep working.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { BALANCE_UNITS_PER_CENT, formatBalance, formatCents, parseBalance, parseCents } from "./cents";

// ------------------------------------------------------------------------------------------------ public types

export interface SeedUser {
  id: number;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  legalName?: string;
  /** Defaults to "legal_entity" when only legalName is given, else "individual". */
  legalType?: string;
  login?: string;
  /** Decimal text with up to 4 decimals, as Navixy keeps balances ("12.3456"); default "0.00". */
  balance?: string;
  bonus?: string;
  /** Sub-users are invisible to the Panel API (201). */
  subUser?: boolean;
  /** Users of another dealer are invisible too (201). Default: the emulator's dealer id. */
  dealerId?: number;
  activated?: boolean;
}

export type FaultAction =
  /** Answer with this error envelope; with `apply`, the change is applied first (an answer that lies). */
  | { type: "error"; code: number; description?: string; errors?: { parameter: string; error: string }[]; apply?: boolean }
  /** Wait, then process normally (the change is applied even if the client gave up meanwhile). */
  | { type: "delay"; ms: number }
  /** Read the request, then destroy the socket without applying. */
  | { type: "drop_before_apply" }
  /** Apply the change, then destroy the socket without answering. */
  | { type: "drop_after_apply" }
  /** Answer with this HTTP status and an HTML body (a proxy error). Nothing applied unless `apply`. */
  | { type: "http_status"; status: number; body?: string; apply?: boolean }
  /** Keep the request open, applying nothing, until `release()` (then processed, or dropped with mode "drop"). */
  | { type: "hold" };

export interface FaultRule {
  /** API method ("panel/user/transaction/change_balance", "balance/refill", "panel/account/auth", ...) or "*". */
  method: string;
  /** How many matching requests it affects; default 1. Ignored with `always`. */
  times?: number;
  always?: boolean;
  /** Only requests with this user_id. */
  userId?: number;
  action: FaultAction;
}

export interface EmulatorTransaction {
  id: number;
  userId: number;
  type: "balance" | "bonus";
  subtype: string;
  amount: string;
  balanceAfter: string;
  /** UTC "YYYY-MM-DD HH:MM:SS". */
  timestamp: string;
  text: string;
}

export interface EmulatorCall {
  seq: number;
  at: string;
  method: string;
  /** Request params with password/hash redacted. */
  params: Record<string, unknown>;
  /** "ok", "error <code>", "fault <type>", "held", ... */
  outcome: string;
  /** Whether this call changed a balance. */
  applied: boolean;
  userId?: number;
}

export interface EmulatorUserView {
  id: number;
  balance: string;
  bonus: string;
  transactions: EmulatorTransaction[];
}

/** The dealer's images when `brand.logo`/`brand.favicon` is "emulator". */
const STATIC_IMAGES: Record<string, string> = {
  "logo.svg":
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"><rect width="40" height="40" rx="8" fill="#e8590c"/><text x="50" y="27" font-family="sans-serif" font-size="18" fill="#7a2e05">Acme GPS</text></svg>',
  "favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#e8590c"/></svg>',
};

export type OutageMode = "refuse" | "reset";

export interface NavixyEmulatorOptions {
  port?: number;
  host?: string;
  login?: string;
  password?: string;
  apiHash?: string;
  currency?: string;
  users?: SeedUser[];
  /** Default 24h. */
  sessionTtlMs?: number;
  dealerId?: number;
  paymentLink?: string;
  /** The dealer's default locale in panel/dealer/get_info, as Navixy writes it (default "en_US"). */
  dealerLocale?: string;
  /**
   * The dealer's look: title, colour theme (service settings `color_theme`) and images. `logo`/`favicon` "emulator"
   * point at images this emulator serves (/static/logo.svg, /static/favicon.svg). Default: none of them.
   */
  brand?: { title?: string; colorTheme?: string; logo?: string | "emulator"; favicon?: string | "emulator" };
  /** Field carrying the text in transaction/list items (Navixy's docs disagree). Default "description". */
  transactionTextField?: "description" | "text";
  log?: (line: string) => void;
}

export interface NavixyEmulator {
  url: string;
  port: number;
  apiUrl: string;
  credentials: { login: string; password: string; apiHash: string };
  setUsers(users: SeedUser[]): void;
  user(id: number): EmulatorUserView | undefined;
  /** The balance in cents; throws when it has digits beyond the cent (then read `user(id).balance`). */
  balanceCents(id: number): number;
  /** Applied change_balance/refill calls (optionally for one user). */
  changeBalanceCalls(userId?: number): number;
  calls(): EmulatorCall[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): (FaultRule & { remaining: number | null })[];
  expireSessions(): void;
  /**
   * Adds past transactions to a user's history (e.g. daily fees), each at its own time, moving the balance.
   * Keeps the history in time order, as Navixy lists it.
   */
  addTransactions(userId: number, entries: { at: Date; amountCents: number; text: string; subtype?: string }[]): void;
  /** How many transactions transaction/list returns when the request names no limit (default 20000). */
  setTransactionListDefaultLimit(limit: number): void;
  setOutage(down: boolean, opts?: { mode?: OutageMode; durationMs?: number }): Promise<void>;
  /** Releases held requests; returns how many. */
  release(opts?: { mode?: "process" | "drop" }): number;
  /** Requests currently held. */
  held(): number;
  /** The most requests of one API method open at once since the start or the last reset (a client's concurrency). */
  maxConcurrent(method: string): number;
  resetMaxConcurrent(): void;
  reset(): Promise<void>;
  close(): Promise<void>;
}

// ------------------------------------------------------------------------------------------------ internals

const DESCRIPTIONS: Record<number, string> = {
  1: "Database error",
  3: "Wrong user hash",
  4: "User or API key not found or session ended",
  7: "Invalid parameters",
  11: "Access denied",
  13: "Operation not permitted",
  15: "Too many requests (rate limit exceeded)",
  // NAVIXY.md does not give the panel's bad-credentials code; 102 is what Navixy's user API answers.
  102: "Wrong login or password",
  201: "Not found in the database",
  211: "Requested time span is too big",
  251: "Insufficient funds",
};

function httpStatusFor(code: number): number {
  if (code === 11 || code === 13 || code === 251) return 403;
  if (code === 15) return 429;
  return 400;
}

interface ParamError {
  parameter: string;
  error: string;
}

class ApiFailure {
  constructor(
    readonly code: number,
    readonly description: string = DESCRIPTIONS[code] ?? "Error",
    readonly errors?: ParamError[],
  ) {}
}

interface UserState {
  id: number;
  dealerId: number;
  login: string;
  firstName: string;
  middleName: string;
  lastName: string;
  legalName: string;
  legalType: string;
  subUser: boolean;
  activated: boolean;
  /** Ten-thousandths (BALANCE_UNITS_PER_CENT per cent): Navixy keeps balances to 4 decimals. */
  balanceUnits: number;
  bonusUnits: number;
  transactions: TxState[];
}

interface TxState {
  id: number;
  userId: number;
  type: "balance" | "bonus";
  subtype: string;
  /** Changes have at most 2 decimals; the balances around them may have 4 (ten-thousandths). */
  amountCents: number;
  oldBalanceUnits: number;
  newBalanceUnits: number;
  time: number;
  text: string;
}

interface StoredFault {
  rule: FaultRule;
  remaining: number; // Infinity with `always`
}

interface HeldRequest {
  resolve: (mode: "process" | "drop") => void;
}

/** Marks a money value (decimal text) for rendering as an exact JSON number literal. */
class Dec {
  constructor(readonly text: string) {}
}

const paramErrorSchema = z.object({ parameter: z.string(), error: z.string() });
const faultActionSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("error"),
    code: z.number().int(),
    description: z.string().optional(),
    errors: z.array(paramErrorSchema).optional(),
    apply: z.boolean().optional(),
  }),
  z.object({ type: z.literal("delay"), ms: z.number().int().min(0).max(600_000) }),
  z.object({ type: z.literal("drop_before_apply") }),
  z.object({ type: z.literal("drop_after_apply") }),
  z.object({
    type: z.literal("http_status"),
    status: z.number().int().min(100).max(599),
    body: z.string().optional(),
    apply: z.boolean().optional(),
  }),
  z.object({ type: z.literal("hold") }),
]);
const faultRuleSchema = z
  .object({
    method: z.string().min(1),
    times: z.number().int().min(0).optional(),
    always: z.boolean().optional(),
    userId: z.number().int().optional(),
    action: faultActionSchema,
  })
  .refine((r) => r.always === true || r.times === undefined || r.times >= 1, {
    message: "times must be >= 1 (use always: true for an unlimited rule)",
  });

const seedUserSchema = z.object({
  id: z.number().int().positive(),
  firstName: z.string().optional(),
  middleName: z.string().optional(),
  lastName: z.string().optional(),
  legalName: z.string().optional(),
  legalType: z.string().optional(),
  login: z.string().optional(),
  balance: z.string().optional(),
  bonus: z.string().optional(),
  subUser: z.boolean().optional(),
  dealerId: z.number().int().optional(),
  activated: z.boolean().optional(),
});

const outageSchema = z.object({
  down: z.boolean(),
  mode: z.enum(["refuse", "reset"]).optional(),
  durationMs: z.number().int().min(0).optional(),
});

const releaseSchema = z.object({ mode: z.enum(["process", "drop"]).optional() }).optional();

function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function parseUtc(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(v.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t) ? undefined : t;
}

function intParam(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function strParam(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

function redactParams(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = k === "password" || k === "hash" ? "[redacted]" : v;
  return out;
}

const MAX_BODY = 1 << 20;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.socket.destroy();
        reject(new Error("body too large"));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("aborted")));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------ the emulator

export async function startNavixyEmulator(opts: NavixyEmulatorOptions = {}): Promise<NavixyEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const credentials = {
    login: opts.login ?? "12345",
    password: opts.password ?? "demo-password",
    apiHash: opts.apiHash ?? "emulator-api-hash",
  };
  const currency = (opts.currency ?? "EUR").toUpperCase();
  const sessionTtlMs = opts.sessionTtlMs ?? 24 * 60 * 60 * 1000;
  const dealerId = opts.dealerId ?? 1;
  const textField = opts.transactionTextField ?? "description";
  const log = opts.log ?? (() => {});
  const initialUsers = (opts.users ?? []).map((u) => seedUserSchema.parse(u) as SeedUser);

  // Random per process so user-provided text can never be mistaken for a money placeholder.
  const decToken = `__dec_${randomBytes(8).toString("hex")}__`;
  const decTokenRe = new RegExp(`"${decToken}(-?\\d+\\.\\d{2,4})"`, "g");

  let users = new Map<number, UserState>();
  let sessions = new Map<string, { expiresAt: number }>();
  let faults: StoredFault[] = [];
  let callLog: EmulatorCall[] = [];
  const openNow = new Map<string, number>();
  let maxOpen = new Map<string, number>();
  let appliedCounts = new Map<number, number>();
  let held: HeldRequest[] = [];
  let seq = 0;
  let txSeq = 0;
  let listDefaultLimit = 20000;
  let outage: OutageMode | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let server: http.Server | undefined;
  let port = opts.port ?? 0;
  let closed = false;

  function toUserState(s: SeedUser): UserState {
    const balanceUnits = parseBalance(s.balance ?? "0.00");
    const bonusUnits = parseBalance(s.bonus ?? "0.00");
    if (balanceUnits === null || bonusUnits === null) throw new Error(`seed user ${s.id}: invalid balance/bonus (at most 4 decimals)`);
    const existing = users.get(s.id);
    return {
      id: s.id,
      dealerId: s.dealerId ?? dealerId,
      login: s.login ?? `user${s.id}@example.com`,
      firstName: s.firstName ?? "",
      middleName: s.middleName ?? "",
      lastName: s.lastName ?? "",
      legalName: s.legalName ?? "",
      legalType: s.legalType ?? (s.legalName && !s.firstName && !s.lastName ? "legal_entity" : "individual"),
      subUser: s.subUser ?? false,
      activated: s.activated ?? true,
      balanceUnits,
      bonusUnits,
      // Upserting keeps the history.
      transactions: existing?.transactions ?? [],
    };
  }

  function setUsers(list: SeedUser[]): void {
    const parsed = list.map((u) => toUserState(seedUserSchema.parse(u) as SeedUser));
    for (const u of parsed) users.set(u.id, u);
  }

  function viewTx(t: TxState): EmulatorTransaction {
    return {
      id: t.id,
      userId: t.userId,
      type: t.type,
      subtype: t.subtype,
      amount: formatCents(t.amountCents),
      balanceAfter: formatBalance(t.newBalanceUnits),
      timestamp: formatUtc(t.time),
      text: t.text,
    };
  }

  function viewUser(u: UserState) {
    return {
      id: u.id,
      dealerId: u.dealerId,
      login: u.login,
      firstName: u.firstName,
      lastName: u.lastName,
      legalName: u.legalName,
      subUser: u.subUser,
      balance: formatBalance(u.balanceUnits),
      bonus: formatBalance(u.bonusUnits),
      transactions: u.transactions.map(viewTx),
    };
  }

  function renderJson(value: unknown): string {
    const text = JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Dec ? `${decToken}${v.text}` : v,
    );
    return text.replace(decTokenRe, "$1");
  }

  // -------------------------------------------------------------------------------------------- API methods

  function requireSession(hash: string | undefined): void {
    if (!hash) throw new ApiFailure(3);
    const s = sessions.get(hash);
    if (!s) throw new ApiFailure(3);
    if (Date.now() >= s.expiresAt) throw new ApiFailure(4);
  }

  /** The Panel API sees only this dealer's non-sub users. */
  function visibleUser(userId: number): UserState {
    const u = users.get(userId);
    if (!u || u.subUser || u.dealerId !== dealerId) throw new ApiFailure(201);
    return u;
  }

  function requireUserId(p: Record<string, unknown>, errors: ParamError[]): number {
    const id = intParam(p["user_id"]);
    if (id === undefined || id <= 0) errors.push({ parameter: "user_id", error: "must be a positive integer" });
    return id ?? 0;
  }

  function applyChange(
    u: UserState,
    type: "balance" | "bonus",
    cents: number,
    subtype: string,
    text: string,
    call: EmulatorCall,
  ): void {
    // Synchronous read-modify-write: atomic on the event loop, however many requests are in flight.
    const old = type === "balance" ? u.balanceUnits : u.bonusUnits;
    const next = old + cents * BALANCE_UNITS_PER_CENT;
    if (cents < 0 && next < 0) throw new ApiFailure(251);
    if (!Number.isSafeInteger(next)) throw new ApiFailure(7, "Amount out of range");
    if (type === "balance") u.balanceUnits = next;
    else u.bonusUnits = next;
    u.transactions.push({ id: ++txSeq, userId: u.id, type, subtype, amountCents: cents, oldBalanceUnits: old, newBalanceUnits: next, time: Date.now(), text });
    call.applied = true;
    appliedCounts.set(u.id, (appliedCounts.get(u.id) ?? 0) + 1);
  }

  function dispatch(method: string, p: Record<string, unknown>, hash: string | undefined, call: EmulatorCall): unknown {
    switch (method) {
      case "panel/account/auth": {
        const login = strParam(p["login"]);
        const password = strParam(p["password"]);
        const errors: ParamError[] = [];
        if (!login) errors.push({ parameter: "login", error: "required" });
        if (!password) errors.push({ parameter: "password", error: "required" });
        if (errors.length) throw new ApiFailure(7, undefined, errors);
        if (login !== credentials.login || password !== credentials.password) throw new ApiFailure(102);
        const newHash = randomBytes(16).toString("hex");
        sessions.set(newHash, { expiresAt: Date.now() + sessionTtlMs });
        return {
          success: true,
          hash: newHash,
          permissions: ["base:get_dealer_info", "users:read", "users:update", "transactions:read", "transactions:create", "service_settings:read"],
        };
      }
      case "panel/user/read": {
        requireSession(hash);
        const errors: ParamError[] = [];
        const userId = requireUserId(p, errors);
        if (errors.length) throw new ApiFailure(7, undefined, errors);
        const u = visibleUser(userId);
        return {
          success: true,
          value: {
            id: u.id,
            dealer_id: u.dealerId,
            login: u.login,
            first_name: u.firstName,
            middle_name: u.middleName,
            last_name: u.lastName,
            legal_name: u.legalName,
            legal_type: u.legalType,
            balance: new Dec(formatBalance(u.balanceUnits)),
            bonus: new Dec(formatBalance(u.bonusUnits)),
            activated: u.activated,
            verified: true,
            creation_date: "2024-01-15 10:00:00",
          },
        };
      }
      case "panel/user/transaction/change_balance": {
        requireSession(hash);
        const errors: ParamError[] = [];
        const userId = requireUserId(p, errors);
        const cents = parseCents(p["amount"]);
        if (cents === null || cents === 0) {
          errors.push({ parameter: "amount", error: "must be a non-zero number with at most 2 decimals" });
        }
        const type = p["type"];
        if (type !== "balance" && type !== "bonus") errors.push({ parameter: "type", error: "must be balance or bonus" });
        const text = strParam(p["text"]);
        if (text === undefined || text.length < 5 || text.length > 200) {
          errors.push({ parameter: "text", error: "must be 5-200 characters" });
        }
        if (errors.length || cents === null || text === undefined) throw new ApiFailure(7, undefined, errors);
        const u = visibleUser(userId);
        applyChange(u, type as "balance" | "bonus", cents, "manual", text, call);
        return { success: true };
      }
      case "panel/user/transaction/list": {
        requireSession(hash);
        const errors: ParamError[] = [];
        const userId = requireUserId(p, errors);
        const from = parseUtc(p["from"]);
        const to = parseUtc(p["to"]);
        if (from === undefined) errors.push({ parameter: "from", error: "required, YYYY-MM-DD HH:MM:SS" });
        if (to === undefined) errors.push({ parameter: "to", error: "required, YYYY-MM-DD HH:MM:SS" });
        if (from !== undefined && to !== undefined && to < from) errors.push({ parameter: "to", error: "before from" });
        let limit = listDefaultLimit;
        if (p["limit"] !== undefined) {
          const l = intParam(p["limit"]);
          if (l === undefined || l < 1 || l > 20000) errors.push({ parameter: "limit", error: "1..20000" });
          else limit = l;
        }
        if (errors.length || from === undefined || to === undefined) throw new ApiFailure(7, undefined, errors);
        if (to - from > 31 * 24 * 3600 * 1000) throw new ApiFailure(211);
        const u = visibleUser(userId);
        const list = u.transactions
          .filter((t) => {
            const sec = Math.floor(t.time / 1000) * 1000; // timestamps have second precision
            return sec >= from && sec <= to;
          })
          .slice(0, limit)
          .map((t) => ({
            user_id: t.userId,
            dealer_id: u.dealerId,
            type: t.type,
            subtype: t.subtype,
            amount: new Dec(formatCents(t.amountCents)),
            old_balance: new Dec(formatBalance(t.oldBalanceUnits)),
            new_balance: new Dec(formatBalance(t.newBalanceUnits)),
            timestamp: formatUtc(t.time),
            [textField]: t.text,
          }));
        return { success: true, list };
      }
      case "panel/dealer/settings/service/read": {
        requireSession(hash);
        return {
          success: true,
          value: {
            currency,
            payment_link: opts.paymentLink ?? "https://pay.example.com/?id={id}",
            domain: "gps.example.com",
            service_title: opts.brand?.title ?? "Navixy emulator",
            locale: "en_US",
            color_theme: opts.brand?.colorTheme ?? "",
            logo: brandImage("logo") ?? "",
            favicon: brandImage("favicon") ?? "",
            demo_login: "",
            demo_password: "",
          },
        };
      }
      case "panel/dealer/get_info": {
        requireSession(hash);
        // Navixy's reference answers with the dealer's fields at the top level (no `value`).
        return {
          success: true,
          id: dealerId,
          seller_id: 1,
          parent_dealer_id: null,
          contract_type: "PAAS",
          title: opts.brand?.title ?? "Navixy emulator",
          legal_name: "Navixy emulator",
          block_status: "NOT_BLOCKED",
          locale: opts.dealerLocale ?? "en_US",
          domain: "gps.example.com",
          favicon: brandImage("favicon"),
          logo: brandImage("logo"),
          default_user_time_zone: "Europe/London",
        };
      }
      case "balance/refill": {
        // Authenticated by the dealer's API key hash, not by a panel session.
        const given = strParam(p["hash"]);
        if (!given || given !== credentials.apiHash) throw new ApiFailure(3);
        const errors: ParamError[] = [];
        const userId = requireUserId(p, errors);
        const cents = parseCents(p["amount"]);
        if (cents === null || cents <= 0) errors.push({ parameter: "amount", error: "must be positive, 2 decimals" });
        const comment = strParam(p["comment"]) ?? "";
        if (comment.length > 200) errors.push({ parameter: "comment", error: "at most 200 characters" });
        if (errors.length || cents === null) throw new ApiFailure(7, undefined, errors);
        const u = visibleUser(userId);
        applyChange(u, "balance", cents, "payment", comment, call);
        return { success: true };
      }
      default:
        throw new ApiFailure(13, `Unknown method ${method}`);
    }
  }

  // -------------------------------------------------------------------------------------------- HTTP plumbing

  function sendRaw(res: http.ServerResponse, status: number, contentType: string, body: string): void {
    if (res.destroyed || res.socket?.destroyed) return;
    res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  }

  function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    sendRaw(res, status, "application/json; charset=utf-8", renderJson(value));
  }

  function sendFailure(res: http.ServerResponse, f: ApiFailure): void {
    const body: Record<string, unknown> = { success: false, status: { code: f.code, description: f.description } };
    if (f.errors?.length) body["errors"] = f.errors;
    sendJson(res, httpStatusFor(f.code), body);
  }

  /** Runs a method: the answer to send, with the call's outcome recorded. */
  function run(method: string, p: Record<string, unknown>, hash: string | undefined, call: EmulatorCall) {
    try {
      const value = dispatch(method, p, hash, call);
      call.outcome = "ok";
      return { status: 200, value };
    } catch (e) {
      const f = e instanceof ApiFailure ? e : new ApiFailure(1, e instanceof Error ? e.message : "Internal error");
      call.outcome = `error ${f.code}`;
      const value: Record<string, unknown> = { success: false, status: { code: f.code, description: f.description } };
      if (f.errors?.length) value["errors"] = f.errors;
      return { status: httpStatusFor(f.code), value };
    }
  }

  function takeFault(method: string, userId: number | undefined): FaultRule | undefined {
    const f = faults.find(
      (x) =>
        x.remaining > 0 &&
        (x.rule.method === "*" || x.rule.method === method) &&
        (x.rule.userId === undefined || x.rule.userId === userId),
    );
    if (!f) return undefined;
    f.remaining -= 1;
    faults = faults.filter((x) => x.remaining > 0);
    return f.rule;
  }

  function parseParams(req: http.IncomingMessage, url: URL, body: string): Record<string, unknown> {
    const p: Record<string, unknown> = {};
    for (const [k, v] of url.searchParams) p[k] = v;
    if (!body.trim()) return p;
    const ct = String(req.headers["content-type"] ?? "");
    const looksJson = ct.includes("json") || (!ct.includes("form") && /^\s*\{/.test(body));
    if (looksJson) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ApiFailure(7, "Invalid JSON body");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new ApiFailure(7, "JSON body must be an object");
      }
      Object.assign(p, parsed);
    } else {
      for (const [k, v] of new URLSearchParams(body)) p[k] = v;
    }
    return p;
  }

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    url: URL,
    body: string,
  ): Promise<void> {
    const call: EmulatorCall = { seq: ++seq, at: new Date().toISOString(), method, params: {}, outcome: "pending", applied: false };
    callLog.push(call);
    if (callLog.length > 10_000) callLog = callLog.slice(-5_000);
    let p: Record<string, unknown>;
    try {
      p = parseParams(req, url, body);
    } catch (e) {
      call.outcome = "error 7";
      sendFailure(res, e instanceof ApiFailure ? e : new ApiFailure(7));
      return;
    }
    call.params = redactParams(p);
    const userId = intParam(p["user_id"]);
    if (userId !== undefined) call.userId = userId;
    const auth = /^NVX\s+(\S+)\s*$/i.exec(String(req.headers["authorization"] ?? ""));
    const hash = auth?.[1] ?? strParam(p["hash"]);

    const finish = () => log(`[navixy-emulator] #${call.seq} ${method} → ${call.outcome}${call.applied ? " (applied)" : ""}`);
    const rule = takeFault(method, userId);
    const action = rule?.action;
    if (action) {
      switch (action.type) {
        case "error":
          if (action.apply) run(method, p, hash, call);
          call.outcome = `fault error ${action.code}${action.apply ? ` (${call.outcome})` : ""}`;
          sendFailure(res, new ApiFailure(action.code, action.description ?? DESCRIPTIONS[action.code], action.errors));
          finish();
          return;
        case "drop_before_apply":
          call.outcome = "fault drop_before_apply";
          req.socket.destroy();
          finish();
          return;
        case "drop_after_apply": {
          run(method, p, hash, call);
          call.outcome = `fault drop_after_apply (${call.outcome})`;
          req.socket.destroy();
          finish();
          return;
        }
        case "http_status": {
          if (action.apply) run(method, p, hash, call);
          call.outcome = `fault http_status ${action.status}${action.apply ? ` (${call.outcome})` : ""}`;
          const html =
            action.body ??
            `<html><head><title>${action.status}</title></head><body><h1>${action.status} ${http.STATUS_CODES[action.status] ?? ""}</h1><hr><center>nginx</center></body></html>`;
          sendRaw(res, action.status, "text/html; charset=utf-8", html);
          finish();
          return;
        }
        case "delay":
          call.outcome = "delayed";
          await sleep(action.ms);
          break;
        case "hold": {
          call.outcome = "held";
          const mode = await new Promise<"process" | "drop">((resolve) => held.push({ resolve }));
          if (mode === "drop") {
            call.outcome = "fault hold (dropped)";
            req.socket.destroy();
            finish();
            return;
          }
          break;
        }
      }
    }
    const r = run(method, p, hash, call);
    sendJson(res, r.status, r.value);
    finish();
  }

  async function handleControl(method: string, path: string, body: string, res: http.ServerResponse): Promise<void> {
    let json: unknown = undefined;
    if (body.trim()) {
      try {
        json = JSON.parse(body);
      } catch {
        sendJson(res, 400, { error: "invalid JSON" });
        return;
      }
    }
    const route = `${method} ${path.replace(/\/+$/, "")}`;
    try {
      switch (route) {
        case "GET /_emulator/state":
          sendJson(res, 200, {
            users: [...users.values()].map(viewUser),
            calls: callLog,
            faults: api.faults(),
            held: held.length,
            outage: outage ?? null,
            sessions: sessions.size,
            currency,
          });
          return;
        case "GET /_emulator/faults":
          sendJson(res, 200, { faults: api.faults() });
          return;
        case "POST /_emulator/faults": {
          const list: unknown[] = Array.isArray(json)
            ? json
            : typeof json === "object" && json !== null && Array.isArray((json as { rules?: unknown }).rules)
              ? (json as { rules: unknown[] }).rules
              : [json];
          const rules = list.map((r) => faultRuleSchema.parse(r) as FaultRule);
          for (const r of rules) api.addFault(r);
          sendJson(res, 200, { ok: true, faults: api.faults() });
          return;
        }
        case "DELETE /_emulator/faults":
          api.clearFaults();
          sendJson(res, 200, { ok: true });
          return;
        case "POST /_emulator/release": {
          const o = releaseSchema.parse(json);
          sendJson(res, 200, { ok: true, released: api.release(o ?? {}) });
          return;
        }
        case "POST /_emulator/sessions/expire":
          api.expireSessions();
          sendJson(res, 200, { ok: true });
          return;
        case "POST /_emulator/outage": {
          const o = outageSchema.parse(json);
          sendJson(res, 200, { ok: true });
          // Answer first: a refusing outage closes this very connection.
          res.once("finish", () => {
            void api.setOutage(o.down, {
              ...(o.mode ? { mode: o.mode } : {}),
              ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
            });
          });
          return;
        }
        case "POST /_emulator/users": {
          const list: unknown[] = Array.isArray(json)
            ? json
            : typeof json === "object" && json !== null && Array.isArray((json as { users?: unknown }).users)
              ? (json as { users: unknown[] }).users
              : [json];
          api.setUsers(list as SeedUser[]);
          sendJson(res, 200, { ok: true, users: [...users.values()].map(viewUser) });
          return;
        }
        case "POST /_emulator/reset":
          sendJson(res, 200, { ok: true });
          res.once("finish", () => void api.reset());
          return;
        default:
          sendJson(res, 404, { error: `no control route ${route}` });
      }
    } catch (e) {
      sendJson(res, 400, { error: e instanceof z.ZodError ? z.prettifyError(e) : e instanceof Error ? e.message : String(e) });
    }
  }

  /** A brand image's URL as get_info gives it, or null. */
  function brandImage(kind: "logo" | "favicon"): string | null {
    const v = opts.brand?.[kind];
    if (!v) return null;
    return v === "emulator" ? `http://${host.includes(":") ? `[${host}]` : host}:${port}/static/${kind}.svg` : v;
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on("error", () => {});
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const isControl = path.startsWith("/_emulator/");
    if (outage === "reset" && !isControl) {
      req.socket.destroy();
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    try {
      if (isControl) return await handleControl(req.method ?? "GET", path, body, res);
      const image = path.startsWith("/static/") ? STATIC_IMAGES[path.slice("/static/".length)] : undefined;
      if (image) return sendRaw(res, 200, "image/svg+xml", image);
      if (path.startsWith("/v2/")) {
        const method = path.slice(4).replace(/\/+$/, "");
        // Requests open at once, per method: what a client's concurrency limit is checked against.
        const open = (openNow.get(method) ?? 0) + 1;
        openNow.set(method, open);
        maxOpen.set(method, Math.max(maxOpen.get(method) ?? 0, open));
        res.once("close", () => openNow.set(method, (openNow.get(method) ?? 1) - 1));
        return await handleApi(req, res, method, url, body);
      }
      sendJson(res, 404, { error: "not found: the API lives under /v2/" });
    } catch (e) {
      sendRaw(res, 500, "text/plain", `emulator error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function listen(): Promise<void> {
    const s = http.createServer((req, res) => void onRequest(req, res));
    // Injected drops and client timeouts make socket errors routine here; they must not crash the process.
    s.on("connection", (sock) => sock.on("error", () => {}));
    return new Promise((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  }

  function stopListening(): Promise<void> {
    const s = server;
    server = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  function dropHeld(): void {
    const h = held;
    held = [];
    for (const x of h) x.resolve("drop");
  }

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  const api: NavixyEmulator = {
    url: "",
    port: 0,
    apiUrl: "",
    credentials,
    setUsers,
    user(id) {
      const u = users.get(id);
      return u && { id: u.id, balance: formatBalance(u.balanceUnits), bonus: formatBalance(u.bonusUnits), transactions: u.transactions.map(viewTx) };
    },
    balanceCents(id) {
      const u = users.get(id);
      if (!u) throw new Error(`emulator: no user ${id}`);
      if (u.balanceUnits % BALANCE_UNITS_PER_CENT !== 0) {
        throw new Error(`emulator: user ${id}'s balance ${formatBalance(u.balanceUnits)} is not a whole number of cents; read user(id).balance`);
      }
      return u.balanceUnits / BALANCE_UNITS_PER_CENT;
    },
    maxConcurrent: (method) => maxOpen.get(method) ?? 0,
    resetMaxConcurrent() {
      maxOpen = new Map();
    },
    changeBalanceCalls(userId) {
      if (userId !== undefined) return appliedCounts.get(userId) ?? 0;
      let n = 0;
      for (const c of appliedCounts.values()) n += c;
      return n;
    },
    calls: () => callLog.map((c) => ({ ...c, params: { ...c.params } })),
    addFault(rule) {
      const r = faultRuleSchema.parse(rule) as FaultRule;
      faults.push({ rule: r, remaining: r.always ? Infinity : (r.times ?? 1) });
    },
    clearFaults() {
      faults = [];
    },
    faults: () => faults.map((f) => ({ ...f.rule, remaining: Number.isFinite(f.remaining) ? f.remaining : null })),
    expireSessions() {
      for (const s of sessions.values()) s.expiresAt = 0;
    },
    async setOutage(down, o = {}) {
      if (closed) return;
      if (down) {
        const mode = o.mode ?? "refuse";
        outage = mode;
        if (mode === "refuse") {
          dropHeld();
          await stopListening();
          // Let in-process clients (tests, sandbox) notice their kept-alive sockets closed, so that their next
          // request opens a new connection and gets ECONNREFUSED rather than a reset on a stale socket.
          await sleep(20);
        }
        if (o.durationMs !== undefined) later(o.durationMs, () => void api.setOutage(false));
      } else {
        outage = undefined;
        if (!server) await listen();
      }
    },
    release(o = {}) {
      const h = held;
      held = [];
      for (const x of h) x.resolve(o.mode ?? "process");
      return h.length;
    },
    held: () => held.length,
    addTransactions(userId, entries) {
      const u = users.get(userId);
      if (!u) throw new Error(`emulator: no user ${userId}`);
      for (const e of entries) {
        const old = u.balanceUnits;
        u.balanceUnits = old + e.amountCents * BALANCE_UNITS_PER_CENT;
        const tx = { id: ++txSeq, userId, type: "balance" as const, subtype: e.subtype ?? "", amountCents: e.amountCents, oldBalanceUnits: old, newBalanceUnits: u.balanceUnits, time: e.at.getTime(), text: e.text };
        u.transactions.push(tx);
      }
      u.transactions.sort((a, b) => a.time - b.time || a.id - b.id);
    },
    setTransactionListDefaultLimit(limit) {
      listDefaultLimit = limit;
    },
    async reset() {
      dropHeld();
      listDefaultLimit = 20000;
      users = new Map();
      setUsers(initialUsers);
      sessions = new Map();
      faults = [];
      callLog = [];
      maxOpen = new Map();
      appliedCounts = new Map();
      txSeq = 0;
      if (outage) await api.setOutage(false);
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      dropHeld();
      await stopListening();
    },
  };

  setUsers(initialUsers);
  await listen();
  api.port = port;
  api.url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  api.apiUrl = `${api.url}/v2`;
  return api;
}
