// The dealer's default locale in Navixy (`panel/dealer/get_info`), the payer's language when nothing closer to the
// payer names one. Cached like the dealer currency (lib/navixy/dealer-currency.ts); unlike it, never in the way:
// a page waits for it at most `maxWaitMs`, and a failed read is not retried for a minute.
import type { NavixyPanelClient } from "./";

const TTL_MS = 10 * 60_000;
const RETRY_AFTER_FAILURE_MS = 60_000;

export class DealerLocale {
  private cached: { value: string; at: number } | undefined;
  private failedAt: number | undefined;
  private inflight: Promise<string | undefined> | undefined;

  constructor(
    private readonly navixy: Pick<NavixyPanelClient, "readDealerInfo">,
    private readonly maxWaitMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Navixy's locale text ("en_US", "ru_RU"...), or undefined when it is not known (yet). Never throws. */
  async get(): Promise<string | undefined> {
    const now = this.now();
    if (this.cached && now - this.cached.at < TTL_MS) return this.cached.value;
    if (this.failedAt !== undefined && now - this.failedAt < RETRY_AFTER_FAILURE_MS) return this.cached?.value;
    this.inflight ??= this.navixy
      .readDealerInfo()
      .then((info) => {
        this.cached = { value: info.locale, at: this.now() };
        this.failedAt = undefined;
        return info.locale;
      })
      .catch(() => {
        this.failedAt = this.now();
        return this.cached?.value; // a stale locale beats none
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
