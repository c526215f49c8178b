// A cached read from Navixy for what only makes a page nicer (the dealer's locale, look and logo): unlike the
// currency, never in the way. A page waits for it at most `maxWaitMs`; a failed read is not retried for a minute,
// and a stale value beats none.

const TTL_MS = 10 * 60_000;
const RETRY_AFTER_FAILURE_MS = 60_000;

export class SoftCache<T> {
  private cached: { value: T; at: number } | undefined;
  private failedAt: number | undefined;
  private inflight: Promise<T | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxWaitMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value, or undefined when it is not known (yet). Never throws. */
  async get(): Promise<T | undefined> {
    const now = this.now();
    if (this.cached && now - this.cached.at < TTL_MS) return this.cached.value;
    if (this.failedAt !== undefined && now - this.failedAt < RETRY_AFTER_FAILURE_MS) return this.cached?.value;
    this.inflight ??= this.read()
      .then((value) => {
        this.cached = { value, at: this.now() };
        this.failedAt = undefined;
        return value;
      })
      .catch(() => {
        this.failedAt = this.now();
        return this.cached?.value;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.maxWaitMs);
    });
    try {
      // Slow Navixy: answer without it now; the read goes on and fills the cache for the next page.
      return (await Promise.race([this.inflight, late])) ?? this.cached?.value;
    } finally {
      clearTimeout(timer);
    }
  }
}
