/**
 * Idempotent requests (https://docs.stripe.com/api/idempotent_requests):
 * - keys are scoped to the API key and kept 24 hours;
 * - the same key with the same endpoint and parameters replays the first
 *   response byte for byte (header `Idempotent-Replayed: true`);
 * - the same key with other parameters or another endpoint is a 400 `idempotency_error`;
 * - while the first request is still executing, a second one is a 409;
 * - only results of requests that started executing are saved: parameter
 *   validation errors are not (the caller may fix them and retry with the key).
 */
import { StripeApiError } from "./errors";
import { canonicalJson, type ParamObject } from "./form";
import type { IdempotencyEntry, Store } from "./store";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotencyOutcome =
  | { kind: "proceed"; entry: IdempotencyEntry }
  | { kind: "replay"; entry: IdempotencyEntry; response: { status: number; body: string } };

function idempotencyError(status: number, message: string, code?: string): StripeApiError {
  return new StripeApiError(status, { type: "idempotency_error", message, ...(code ? { code } : {}) });
}

export function beginIdempotent(
  store: Store,
  req: { scope: string; key: string; method: string; path: string; params: ParamObject; nowMs: number; requestId: string },
): IdempotencyOutcome {
  if (req.key.length > 255) {
    throw new StripeApiError(400, {
      type: "invalid_request_error",
      message: `Invalid Idempotency-Key: keys can be at most 255 characters long.`,
    });
  }
  const mapKey = `${req.scope}\u0000${req.key}`;
  const fingerprint = canonicalJson(req.params);
  const existing = store.idempotency.get(mapKey);
  if (existing && existing.createdAt + IDEMPOTENCY_TTL_MS <= req.nowMs) store.idempotency.delete(mapKey);
  else if (existing) {
    if (existing.method !== req.method || existing.path !== req.path) {
      throw idempotencyError(
        400,
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${req.method} ${req.path}' vs '${existing.method} ${existing.path}'). Try using a key other than '${req.key}' if you meant to execute a different request.`,
      );
    }
    if (existing.paramsFingerprint !== fingerprint) {
      throw idempotencyError(
        400,
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${req.key}' if you meant to execute a different request.`,
      );
    }
    if (!existing.response) {
      throw idempotencyError(
        409,
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${req.key}. Please try again later.`,
        "idempotency_key_in_use",
      );
    }
    return { kind: "replay", entry: existing, response: existing.response };
  }
  const entry: IdempotencyEntry = {
    scope: req.scope,
    key: req.key,
    method: req.method,
    path: req.path,
    paramsFingerprint: fingerprint,
    createdAt: req.nowMs,
    requestId: req.requestId,
  };
  store.idempotency.set(mapKey, entry);
  return { kind: "proceed", entry };
}

/** Save the response for replays, or release the key if this result is not saved. */
export function finishIdempotent(store: Store, entry: IdempotencyEntry, response: { status: number; body: string }, save: boolean): void {
  const mapKey = `${entry.scope}\u0000${entry.key}`;
  if (store.idempotency.get(mapKey) !== entry) return;
  if (save) entry.response = response;
  else store.idempotency.delete(mapKey);
}
