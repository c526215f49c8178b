/** Exponential backoff with ±20 % jitter, so retries of many movements do not arrive at Navixy together. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** After this many attempts a movement is shown as needing attention (it keeps being retried). */
export const ATTENTION_AFTER_ATTEMPTS = 8;
