import { describe, expect, test } from "vitest";
import { useHarness } from "./test-helpers";

const h = useHarness();

describe("webhook endpoints", () => {
  test("create shows the signing secret once; list and retrieve never do", async () => {
    const created = await h.stripe.webhookEndpoints.create({
      url: "https://gateway.example.com/api/stripe/webhook",
      enabled_events: ["payment_intent.succeeded", "charge.refunded"],
    });
    expect(created).toMatchObject({
      object: "webhook_endpoint",
      url: "https://gateway.example.com/api/stripe/webhook",
      enabled_events: ["payment_intent.succeeded", "charge.refunded"],
      status: "enabled",
    });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_\w{20,}$/);
    const list = await h.stripe.webhookEndpoints.list({ limit: 10 });
    expect(list.data.map((e) => e.id)).toContain(created.id);
    expect(list.data.every((e) => e.secret === undefined)).toBe(true);
    const one = await h.stripe.webhookEndpoints.retrieve(created.id);
    expect(one.secret).toBeUndefined();
    expect(await h.stripe.webhookEndpoints.del(created.id)).toMatchObject({ id: created.id, deleted: true });
    await expect(h.stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  test("url and enabled_events are required", async () => {
    await expect(h.stripe.webhookEndpoints.create({ url: "not a url", enabled_events: ["charge.refunded"] })).rejects.toMatchObject({ param: "url" });
    await expect(h.stripe.webhookEndpoints.create({ url: "https://x.example", enabled_events: [] })).rejects.toMatchObject({ param: "enabled_events" });
  });
});

describe("balance", () => {
  test("retrieve answers with the charges' net amount per currency", async () => {
    const before = await h.stripe.balance.retrieve();
    expect(before.object).toBe("balance");
    await h.stripe.paymentIntents.create({ amount: 1234, currency: "eur", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa" });
    const after = await h.stripe.balance.retrieve();
    expect(after.available.find((f) => f.currency === "eur")?.amount).toBeGreaterThanOrEqual(1234);
  });

  test("a wrong key is refused", async () => {
    const { sdk } = await import("./test-helpers");
    await expect(sdk(h.emulator, "sk_test_wrong").balance.retrieve()).rejects.toMatchObject({ statusCode: 401 });
  });
});
