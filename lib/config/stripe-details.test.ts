// STRIPE_STATEMENT_DESCRIPTOR_SUFFIX (Stripe's rules, named at start-up) and RECEIPTS_ENABLED.
import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "./";

const valid = {
  PUBLIC_URL: "https://pay.example.com/",
  STRIPE_SECRET_KEY: "sk_test_abc123",
  STRIPE_PUBLISHABLE_KEY: "pk_test_abc123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc123",
  NAVIXY_PANEL_LOGIN: "12345",
  NAVIXY_PANEL_PASSWORD: "secret-password",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the configuration to be refused");
}

describe("Stripe details in the configuration", () => {
  test("defaults: no suffix, receipts offered", () => {
    const c = parseConfig(valid);
    expect(c.stripe.statementDescriptorSuffix).toBeUndefined();
    expect(c.receipts).toEqual({ enabled: true });
    expect(parseConfig({ ...valid, RECEIPTS_ENABLED: "false" }).receipts).toEqual({ enabled: false });
    expect(problems({ ...valid, RECEIPTS_ENABLED: "maybe" })[0]).toMatch(/^RECEIPTS_ENABLED/);
  });

  test("a valid suffix is kept as written (trimmed)", () => {
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: " Top-up 24/7 " }).stripe.statementDescriptorSuffix).toBe("Top-up 24/7");
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "A".repeat(18) }).stripe.statementDescriptorSuffix).toBe("A".repeat(18));
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "" }).stripe.statementDescriptorSuffix).toBeUndefined();
  });

  test.each([
    ["too long for any prefix", "A".repeat(19), /at most 18 characters/],
    ["a forbidden character", "TOP*UP", /must not contain any of < > \\ ' " \*/],
    ["a quote", "DEALER'S", /must not contain/],
    ["no letter", "2026", /at least one letter/],
    ["Cyrillic", "ПОПОЛНЕНИЕ", /only Latin/],
    ["an accent", "RECHARGÉ", /only Latin/],
  ])("a suffix with %s stops start-up, naming the variable", (_what, suffix, reason) => {
    const found = problems({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: suffix });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^STRIPE_STATEMENT_DESCRIPTOR_SUFFIX /);
    expect(found[0]).toMatch(reason);
  });
});
