/**
 * Typed failures of the Navixy Panel API client.
 *
 * Two families:
 * - `NavixyApiError`: Navixy answered with its error envelope `{"success": false, "status": {"code": N, ...}}`.
 *   The call was processed and rejected, so nothing was applied — except code 1 (database error, the server failed
 *   mid-way) and codes we do not know, where `maybeApplied` is true and a credit must be reconciled before retrying.
 * - `NavixyTransportError`: no usable answer (connection, timeout, non-JSON body). `maybeApplied` is false only when
 *   the request certainly never reached Navixy.
 *
 * Messages never carry the password or any hash (the client redacts before constructing these).
 */

export type NavixyErrorKind =
  /** 3 wrong hash, 4 session expired: log in again and retry once. */
  | "session"
  /** 1 database error, 15 too many requests: retry later with backoff. */
  | "transient"
  /** 201: unknown user, another dealer's user, or a sub-user. */
  | "not_found"
  /** 251: the resulting balance would be negative. */
  | "insufficient_funds"
  /** Anything else, including unknown codes: retrying will not help, a human must look. */
  | "permanent";

/**
 * Explicit mapping of every code we know. Unknown codes are `permanent` on purpose: Navixy's envelope codes are
 * application codes (1..2xx), not HTTP statuses, so "≥ 500 means server trouble" does not apply; and for money it
 * is safer to stop and have an operator look than to retry a call with unknown semantics.
 */
export const NAVIXY_ERROR_CODES: Readonly<Record<number, { kind: NavixyErrorKind; name: string }>> = {
  1: { kind: "transient", name: "database error" },
  3: { kind: "session", name: "wrong hash" },
  4: { kind: "session", name: "session expired" },
  7: { kind: "permanent", name: "invalid parameters" },
  11: { kind: "permanent", name: "access denied" },
  13: { kind: "permanent", name: "operation not permitted" },
  15: { kind: "transient", name: "too many requests" },
  102: { kind: "permanent", name: "wrong login or password" },
  201: { kind: "not_found", name: "not found" },
  211: { kind: "permanent", name: "requested time span too big" },
  251: { kind: "insufficient_funds", name: "insufficient funds" },
};

export function navixyErrorKind(code: number): NavixyErrorKind {
  return NAVIXY_ERROR_CODES[code]?.kind ?? "permanent";
}

/** Whether a call rejected with this code may nevertheless have been applied. */
export function navixyErrorMaybeApplied(code: number): boolean {
  return code === 1 || NAVIXY_ERROR_CODES[code] === undefined;
}

export interface NavixyParamError {
  parameter: string;
  error: string;
}

export class NavixyApiError extends Error {
  override readonly name = "NavixyApiError";
  readonly code: number;
  readonly description: string;
  readonly httpStatus: number;
  readonly kind: NavixyErrorKind;
  /** The API method, e.g. "panel/user/read". */
  readonly method: string;
  /** Code 7 may carry which parameters were wrong. */
  readonly errors?: NavixyParamError[];
  readonly maybeApplied: boolean;

  constructor(args: {
    method: string;
    code: number;
    description: string;
    httpStatus: number;
    errors?: NavixyParamError[];
    /** Overrides the mapping when the context changes the meaning (e.g. code 3 on balance/refill). */
    kind?: NavixyErrorKind;
  }) {
    const known = NAVIXY_ERROR_CODES[args.code];
    const params = args.errors?.length
      ? ` [${args.errors.map((e) => `${e.parameter}: ${e.error}`).join("; ")}]`
      : "";
    super(
      `Navixy ${args.method} failed with code ${args.code} (${known?.name ?? "unknown code"}): ` +
        `${args.description}${params}`,
    );
    this.method = args.method;
    this.code = args.code;
    this.description = args.description;
    this.httpStatus = args.httpStatus;
    this.kind = args.kind ?? navixyErrorKind(args.code);
    if (args.errors) this.errors = args.errors;
    this.maybeApplied = navixyErrorMaybeApplied(args.code);
  }
}

/** "not_sent": a money call's deadline passed, or the login before it failed, so its request never went out. */
export type NavixyTransportPhase = "connect" | "timeout" | "response" | "not_sent";

export class NavixyTransportError extends Error {
  override readonly name = "NavixyTransportError";
  readonly phase: NavixyTransportPhase;
  /** False only when the request certainly did not reach Navixy (refused, DNS, TLS, invalid URL). */
  readonly maybeApplied: boolean;
  readonly method: string;
  /** HTTP status when a response arrived but was not a Navixy envelope (e.g. 502 from a proxy). */
  readonly httpStatus?: number;
  /** Low-level error code (ECONNREFUSED, UND_ERR_SOCKET, ...) when there was one. */
  readonly causeCode?: string;

  constructor(args: {
    method: string;
    phase: NavixyTransportPhase;
    maybeApplied: boolean;
    message: string;
    httpStatus?: number;
    causeCode?: string;
  }) {
    super(`Navixy ${args.method}: ${args.message}`);
    this.method = args.method;
    this.phase = args.phase;
    this.maybeApplied = args.maybeApplied;
    if (args.httpStatus !== undefined) this.httpStatus = args.httpStatus;
    if (args.causeCode !== undefined) this.causeCode = args.causeCode;
  }
}

export function isNavixyError(e: unknown): e is NavixyApiError | NavixyTransportError {
  return e instanceof NavixyApiError || e instanceof NavixyTransportError;
}

// Next.js bundles a server module once per entry (instrumentation, each route), so an error thrown by one
// bundle's copy of these classes fails `instanceof` in another's. These checks go by name and shape.
export function isNavixyApiError(e: unknown): e is NavixyApiError {
  return e instanceof Error && e.name === "NavixyApiError" && typeof (e as NavixyApiError).code === "number";
}

export function isNavixyTransportError(e: unknown): e is NavixyTransportError {
  return e instanceof Error && e.name === "NavixyTransportError" && typeof (e as NavixyTransportError).maybeApplied === "boolean";
}
