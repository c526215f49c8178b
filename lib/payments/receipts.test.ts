import type Stripe from "stripe";
import { describe, expect, test, vi } from "vitest";
import { emailOfLogin, maskEmail, receiptOffer, sendRequestedReceipt } from "./receipts";

test("a login is an e-mail address only when it looks like one", () => {
  expect(emailOfLogin(" jsmith@example.com ")).toBe("jsmith@example.com");
  expect(emailOfLogin("j.smith+fleet@mail.example.co.uk")).toBe("j.smith+fleet@mail.example.co.uk");
  for (const login of ["jsmith", "12345", "a@b", "a@@b.com", "a b@example.com", "@example.com", "a@.com", "a@example.", `${"a".repeat(65)}@example.com`]) {
    expect(emailOfLogin(login), login).toBeNull();
  }
});

test("the masked form keeps a first letter of the name and the domain, and the top-level domain", () => {
  expect(maskEmail("jsmith@example.com")).toBe("j***@e***.com");
  expect(maskEmail("j.smith@mail.example.co.uk")).toBe("j***@m***.uk");
  expect(maskEmail("ödön@exämple.de")).toBe("ö***@e***.de");
});

test("offered only when receipts are on and the login is an e-mail", () => {
  const on = { receipts: { enabled: true } };
  expect(receiptOffer(on, { login: "jsmith@example.com" })).toBe("j***@e***.com");
  expect(receiptOffer(on, { login: "jsmith" })).toBeNull();
  expect(receiptOffer({ receipts: { enabled: false } }, { login: "jsmith@example.com" })).toBeNull();
});

describe("sending a requested receipt after the payment succeeded", () => {
  const intent = (over: Record<string, unknown> = {}) =>
    ({ id: "pi_1", status: "succeeded", latest_charge: "ch_1", metadata: { receipt: "requested" }, ...over }) as unknown as Stripe.PaymentIntent;

  function fakes(chargeUpdate: () => Promise<unknown>, login = "owner@example.com") {
    const calls: string[] = [];
    const updateCharge = vi.fn(async (id: string, params: { receipt_email: string }, opts: { idempotencyKey: string }) => {
      calls.push(`charge ${id} ${params.receipt_email} ${opts.idempotencyKey}`);
      return chargeUpdate();
    });
    const updateIntent = vi.fn(async (id: string, params: { metadata: Record<string, string> }) => {
      calls.push(`intent ${id} ${params.metadata.receipt}`);
      return {};
    });
    const services = {
      navixy: { readUser: vi.fn(async () => ({ login })) },
      stripe: { charges: { update: updateCharge }, paymentIntents: { update: updateIntent } },
    } as unknown as Parameters<typeof sendRequestedReceipt>[0];
    return { services, calls };
  }

  test("sets the login on the charge (one idempotency key per charge), then marks the PaymentIntent", async () => {
    const { services, calls } = fakes(async () => ({}));
    expect(await sendRequestedReceipt(services, intent(), 10001)).toBe("sent");
    expect(calls).toEqual(["charge ch_1 owner@example.com receipt:ch_1", "intent pi_1 sent"]);
  });

  test("nothing to do: not succeeded, not requested, already sent, no charge", async () => {
    const { services, calls } = fakes(async () => ({}));
    for (const over of [{ status: "processing" }, { metadata: {} }, { metadata: { receipt: "sent" } }, { latest_charge: null }]) {
      expect(await sendRequestedReceipt(services, intent(over), 10001)).toBe("none");
    }
    expect(calls).toEqual([]);
  });

  test("Stripe refusing the address ends it (not_sent); an outage leaves it requested for the next sync", async () => {
    const refused = fakes(async () => Promise.reject(Object.assign(new Error("Invalid email address"), { type: "StripeInvalidRequestError", code: "email_invalid" })));
    expect(await sendRequestedReceipt(refused.services, intent(), 10001)).toBe("not_sent");
    expect(refused.calls.at(-1)).toBe("intent pi_1 not_sent");
    const down = fakes(async () => Promise.reject(Object.assign(new Error("socket hang up"), { type: "StripeConnectionError" })));
    expect(await sendRequestedReceipt(down.services, intent(), 10001)).toBe("failed");
    expect(down.calls.some((c) => c.startsWith("intent"))).toBe(false);
  });

  test("a login that is no longer an e-mail address: no charge update, not_sent", async () => {
    const { services, calls } = fakes(async () => ({}), "owner");
    expect(await sendRequestedReceipt(services, intent(), 10001)).toBe("not_sent");
    expect(calls).toEqual(["intent pi_1 not_sent"]);
  });
});
