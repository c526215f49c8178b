// The pure parts of automatic top-up: terms and mandate text, manage-link tokens, decline classes, schedule, settings.
import { describe, expect, test } from "vitest";
import { parseConfig } from "../config";
import { amountLimits } from "../payments/limits";
import { jitterMs, monthStart, nextCheckAfter, nextMonthStart, windowIndex } from "./schedule";
import { classifyDecline, mayReEnrol, STATE_LABELS, AUTO_TOP_UP_STATES } from "./states";
import { defaultTerms, mandateText, optInLabel, termAmount, termsProblem } from "./terms";
import { manageUrl, signManageToken, verifyManageToken } from "./token";
import { checkOptIn, initialOptIn, optInPayload } from "../../components/autotopup/opt-in";
import { english } from "../i18n/english";
import { translatorFor } from "../i18n/messages";
import { formatMoney } from "../money";

const ENV = {
  PUBLIC_URL: "https://pay.dealer.example",
  STRIPE_SECRET_KEY: "sk_test_x",
  STRIPE_PUBLISHABLE_KEY: "pk_test_x",
  STRIPE_WEBHOOK_SECRET: "whsec_unit",
  NAVIXY_PANEL_LOGIN: "dealer",
  NAVIXY_PANEL_PASSWORD: "secret",
};
const config = parseConfig(ENV);
const limits = amountLimits({ minAmount: "5", maxAmount: "1000", presets: ["10", "25", "50"] }, "EUR");
const rule = { id: "atr_0123456789abcdefghjkmnpqrs", manageTokenVersion: 2 };

describe("terms", () => {
  test("the mandate text and the label say exactly what will happen, with the page's money format, naming the dealer", () => {
    const terms = { amount: 2500, threshold: 1000, monthlyLimit: 10_000 };
    // The ledger's own records keep "25.00 EUR"; the payer reads money as the page writes it.
    expect(termAmount(2500, "eur")).toBe("25.00 EUR");
    expect(termAmount(500, "JPY")).toBe("500 JPY");
    expect(optInLabel(terms, "EUR")).toBe("Top up automatically: add €25.00 when my balance falls below €10.00, at most €100.00 per month");
    const russian = optInLabel(terms, "EUR", translatorFor("ru"));
    for (const minor of [2500, 1000, 10_000]) expect(russian).toContain(formatMoney(minor, "EUR", "ru"));
    expect(russian).not.toContain("EUR");
    const text = mandateText(terms, "eur");
    expect(text).toContain("I authorise this payment service to save the card");
    expect(text).toContain("charge it €25.00 each time the balance of this account falls below €10.00");
    expect(text).toContain("no more than €100.00 per calendar month (UTC)");
    expect(mandateText(terms, "EUR")).toBe(text);
    expect(mandateText(terms, "EUR", english, " Acme GPS ")).toContain("I authorise Acme GPS to save the card");
    expect(mandateText(terms, "EUR", english, "  ")).toBe(text);
  });

  test.each([
    [{ amount: 2500, threshold: 1000, monthlyLimit: 2500 }, null],
    [{ amount: 400, threshold: 1000, monthlyLimit: 5000 }, /between €5\.00 and €1,000\.00/],
    [{ amount: 2500, threshold: 0, monthlyLimit: 5000 }, /more than zero/],
    [{ amount: 2500, threshold: 1000, monthlyLimit: 2000 }, /at least the top-up amount/],
    [{ amount: 2500, threshold: 1_000_001, monthlyLimit: 5000 }, /threshold can be at most/],
    [{ amount: 2500, threshold: 1000, monthlyLimit: 3_100_001 }, /monthly limit can be at most/],
    [{ amount: 2500.5, threshold: 1000, monthlyLimit: 5000 }, /numbers/],
  ])("%j → %s", (terms, problem) => {
    const result = termsProblem(terms, limits);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });

  test("defaults are acceptable terms", () => {
    expect(defaultTerms(limits)).toEqual({ amount: 2500, threshold: 1000, monthlyLimit: 10_000 });
    expect(termsProblem(defaultTerms(limits), limits)).toBeNull();
  });

  test("the checkout's opt-in sends the terms and the text the server would write", () => {
    const state = { ...initialOptIn(limits), on: true };
    expect(state).toMatchObject({ amount: "25.00", threshold: "10.00", limit: "100.00" });
    const check = checkOptIn({ ...state, amount: "30", threshold: "12,50" }, limits);
    expect(optInPayload(check)).toEqual({ amount: 3000, threshold: 1250, monthlyLimit: 10_000, mandateText: mandateText({ amount: 3000, threshold: 1250, monthlyLimit: 10_000 }, "EUR") });
    expect(checkOptIn({ ...state, limit: "abc" }, limits)).toMatchObject({ terms: null, error: expect.stringMatching(/as a number/) });
    expect(optInPayload(checkOptIn({ ...state, limit: "1" }, limits))).toBeNull();
  });
});

describe("manage links", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  test("sign and verify; the link lives AUTO_TOP_UP_LINK_TTL (30 days by default)", () => {
    const token = signManageToken(config, rule, now);
    expect(token).toMatch(/^atr_[0-9a-z]{26}\.2\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyManageToken(config, token, now)).toEqual({ ok: true, claims: { ruleId: rule.id, version: 2, expiresAt: now.getTime() / 1000 + 30 * 86_400 } });
    expect(verifyManageToken(config, token, new Date(now.getTime() + 30 * 86_400_000 - 1000)).ok).toBe(true);
    expect(verifyManageToken(config, token, new Date(now.getTime() + 30 * 86_400_000))).toEqual({ ok: false, reason: "expired" });
    expect(manageUrl(config, rule, now)).toBe(`https://pay.dealer.example/topup/manage/${token}`);
  });

  test("any change to the token, or another key, makes it forged", () => {
    const token = signManageToken(config, rule, now);
    const [id, version, exp, mac] = token.split(".") as [string, string, string, string];
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A"); // even the last character's spare bits
    for (const t of [`${id}.3.${exp}.${mac}`, `${id}.${version}.${Number(exp) + 1}.${mac}`, `${id}.${version}.${exp}.${flip(mac)}`, `atr_0123456789abcdefghjkmnpqrt.${version}.${exp}.${mac}`]) {
      expect(verifyManageToken(config, t, now)).toEqual({ ok: false, reason: "forged" });
    }
    const otherWebhookSecret = parseConfig({ ...ENV, STRIPE_WEBHOOK_SECRET: "whsec_other" });
    expect(verifyManageToken(otherWebhookSecret, token, now)).toEqual({ ok: false, reason: "forged" });
    const dedicated = parseConfig({ ...ENV, AUTO_TOP_UP_LINK_SECRET: "a-dedicated-secret-that-is-long-enough" });
    expect(verifyManageToken(dedicated, token, now)).toEqual({ ok: false, reason: "forged" });
    expect(verifyManageToken(dedicated, signManageToken(dedicated, rule, now), now).ok).toBe(true);
    for (const t of ["", "x", `${token}.x`, `${id}.${version}.${exp}`, undefined, null, "a".repeat(300)]) {
      expect(verifyManageToken(config, t, now)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});

describe("declines", () => {
  test.each([
    [{ code: "authentication_required", decline_code: "authentication_required" }, "authentication_required"],
    [{ code: "card_declined", decline_code: "insufficient_funds" }, "soft"],
    [{ code: "card_declined", decline_code: "do_not_honor" }, "soft"],
    [{ code: "card_declined", decline_code: "generic_decline" }, "soft"],
    [{ code: "processing_error", decline_code: "processing_error" }, "soft"],
    [{ code: "card_declined", decline_code: "something_new" }, "soft"],
    [{ code: "card_declined", decline_code: "stolen_card" }, "hard"],
    [{ code: "card_declined", decline_code: "lost_card" }, "hard"],
    [{ code: "expired_card", decline_code: "expired_card" }, "hard"],
    [{ code: "expired_card" }, "hard"],
    [{ code: "card_declined", decline_code: "fraudulent" }, "hard"],
    [null, "soft"],
  ])("%j is %s", (error, kind) => {
    expect(classifyDecline(error)).toBe(kind);
  });

  test("every state has a label; only off or pending rules may be replaced by a new enrolment", () => {
    for (const s of AUTO_TOP_UP_STATES) expect(STATE_LABELS[s]).toBeTruthy();
    expect(AUTO_TOP_UP_STATES.filter(mayReEnrol)).toEqual(AUTO_TOP_UP_STATES.filter((s) => s === "pending_enrolment" || s.startsWith("disabled_")));
  });
});

describe("schedule", () => {
  test("each rule has its own fixed jitter, up to a fifth of the interval", () => {
    const interval = 600_000;
    const a = jitterMs("atr_a", interval);
    expect(jitterMs("atr_a", interval)).toBe(a);
    const all = Array.from({ length: 200 }, (_, i) => jitterMs(`atr_${i}`, interval));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThan(interval / 5);
    expect(new Set(all.map((j) => Math.floor(j / 10_000))).size).toBeGreaterThan(8); // spread out
    const from = new Date("2030-01-01T00:00:00Z");
    expect(nextCheckAfter("atr_a", from, interval).getTime()).toBe(from.getTime() + interval + a);
  });

  test("calendar months are UTC; windows follow the interval", () => {
    const at = new Date("2030-03-31T23:59:59Z");
    expect(monthStart(at).toISOString()).toBe("2030-03-01T00:00:00.000Z");
    expect(nextMonthStart(at).toISOString()).toBe("2030-04-01T00:00:00.000Z");
    expect(nextMonthStart(new Date("2030-12-15T00:00:00Z")).toISOString()).toBe("2031-01-01T00:00:00.000Z");
    expect(windowIndex(new Date(1_200_000), 600_000)).toBe(2);
    expect(windowIndex(new Date(1_799_999), 600_000)).toBe(2);
  });
});

describe("settings", () => {
  test("defaults: on, every 10 minutes, 20 per pass, links for 30 days keyed from the webhook secret", () => {
    expect(config.autoTopUp).toEqual({ enabled: true, checkIntervalMs: 600_000, batchSize: 20, linkTtlMs: 30 * 86_400_000, linkSecret: undefined });
  });

  test("each can be set, and bad values are refused by name", () => {
    const c = parseConfig({
      ...ENV,
      AUTO_TOP_UP_ENABLED: "false",
      AUTO_TOP_UP_CHECK_INTERVAL: "30m",
      AUTO_TOP_UP_BATCH: "5",
      AUTO_TOP_UP_LINK_TTL: "7d",
      AUTO_TOP_UP_LINK_SECRET: "x".repeat(32),
    });
    expect(c.autoTopUp).toEqual({ enabled: false, checkIntervalMs: 1_800_000, batchSize: 5, linkTtlMs: 7 * 86_400_000, linkSecret: "x".repeat(32) });
    expect(() => parseConfig({ ...ENV, AUTO_TOP_UP_CHECK_INTERVAL: "30s" })).toThrow(/AUTO_TOP_UP_CHECK_INTERVAL must be at least 1m/);
    expect(() => parseConfig({ ...ENV, AUTO_TOP_UP_CHECK_INTERVAL: "often" })).toThrow(/AUTO_TOP_UP_CHECK_INTERVAL/);
    expect(() => parseConfig({ ...ENV, AUTO_TOP_UP_LINK_TTL: "10m" })).toThrow(/AUTO_TOP_UP_LINK_TTL must be at least 1h/);
    expect(() => parseConfig({ ...ENV, AUTO_TOP_UP_LINK_SECRET: "short" })).toThrow(/AUTO_TOP_UP_LINK_SECRET/);
    expect(() => parseConfig({ ...ENV, AUTO_TOP_UP_BATCH: "0" })).toThrow(/AUTO_TOP_UP_BATCH/);
  });
});
