// The currency payments are taken in: the one set in PAYMENT_CURRENCY, or the dealer's own from Navixy
// (balances are kept in it and change_balance has no currency parameter).
import type { NavixyPanelClient } from "./";
import { normalizeCurrency } from "../money";

const TTL_MS = 10 * 60_000;

export class DealerCurrency {
  private cached: { value: string; at: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly fixed: string | undefined,
    private readonly navixy: Pick<NavixyPanelClient, "readDealerCurrency">,
  ) {}

  /** Upper-case ISO 4217 code. Throws the Navixy error when it cannot be read and none is cached. */
  async get(): Promise<string> {
    if (this.fixed) return this.fixed;
    const now = Date.now();
    if (this.cached && now - this.cached.at < TTL_MS) return this.cached.value;
    this.inflight ??= this.navixy
      .readDealerCurrency()
      .then((value) => {
        this.cached = { value: normalizeCurrency(value), at: Date.now() };
        return this.cached.value;
      })
      .catch((error: unknown) => {
        if (this.cached) return this.cached.value; // a stale currency beats no checkout
        throw error;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
