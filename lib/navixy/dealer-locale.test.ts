import { describe, expect, test } from "vitest";
import { DealerLocale } from "./dealer-locale";
import type { NavixyDealerInfo } from "./client";

const info = (locale: string): NavixyDealerInfo => ({ id: 1, title: "", locale, domain: "", logo: "", favicon: "" });

function fakeNavixy(answers: (NavixyDealerInfo | Error | "hang")[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    readDealerInfo: () => {
      calls += 1;
      const a = answers.shift() ?? new Error("no more answers");
      if (a === "hang") return new Promise<NavixyDealerInfo>(() => {});
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  };
}

describe("the dealer's locale, cached", () => {
  test("read once, then kept for ten minutes", async () => {
    let now = 0;
    const navixy = fakeNavixy([info("ru_RU"), info("de_DE")]);
    const locale = new DealerLocale(navixy, 1000, () => now);
    expect(await locale.get()).toBe("ru_RU");
    now += 9 * 60_000;
    expect(await locale.get()).toBe("ru_RU");
    expect(navixy.calls).toBe(1);
    now += 2 * 60_000;
    expect(await locale.get()).toBe("de_DE");
    expect(navixy.calls).toBe(2);
  });

  test("a failure never fails the page, keeps the last locale, and is not retried for a minute", async () => {
    let now = 0;
    const navixy = fakeNavixy([new Error("down"), info("es_ES"), new Error("down again")]);
    const locale = new DealerLocale(navixy, 1000, () => now);
    expect(await locale.get()).toBeUndefined();
    expect(await locale.get()).toBeUndefined();
    expect(navixy.calls).toBe(1);
    now += 61_000;
    expect(await locale.get()).toBe("es_ES");
    now += 11 * 60_000;
    expect(await locale.get()).toBe("es_ES"); // stale beats none
  });

  test("a slow Navixy is not waited for beyond maxWaitMs", async () => {
    const navixy = fakeNavixy(["hang"]);
    const locale = new DealerLocale(navixy, 20);
    const started = Date.now();
    expect(await locale.get()).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await locale.get()).toBeUndefined();
    expect(navixy.calls).toBe(1); // the first read is still in flight: no second one
  });
});
