// The dealer's default locale in Navixy (`panel/dealer/get_info`), the payer's language when nothing closer to the
// payer names one. Cached like the dealer currency (lib/navixy/dealer-currency.ts) but never in the way
// (lib/navixy/soft-cache.ts).
import type { NavixyPanelClient } from "./";
import { SoftCache } from "./soft-cache";

export class DealerLocale extends SoftCache<string> {
  /** `get()`: Navixy's locale text ("en_US", "ru_RU"...), or undefined when it is not known (yet). */
  constructor(navixy: Pick<NavixyPanelClient, "readDealerInfo">, maxWaitMs = 2_000, now: () => number = Date.now) {
    super(() => navixy.readDealerInfo().then((info) => info.locale), maxWaitMs, now);
  }
}
