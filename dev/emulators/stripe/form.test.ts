import { describe, expect, test } from "vitest";
import { canonicalJson, decodeForm, FormDecodeError } from "./form";
import { call, SECRET_KEY, useHarness } from "./test-helpers";

describe("form decoding (Stripe bracket notation)", () => {
  test("flat, nested hashes, indexed and appended arrays", () => {
    expect(
      decodeForm(
        "amount=2000&currency=eur&automatic_payment_methods[enabled]=true&metadata[order]=42&metadata[note]=a%20b%2Bc" +
          "&payment_method_types[0]=card&payment_method_types[1]=link&expand[]=latest_charge&expand[]=payment_method" +
          "&payment_method_data[card][number]=4242424242424242&shipping[address][line1]=1+Main+St",
      ),
    ).toEqual({
      amount: "2000",
      currency: "eur",
      automatic_payment_methods: { enabled: "true" },
      metadata: { order: "42", note: "a b+c" },
      payment_method_types: ["card", "link"],
      expand: ["latest_charge", "payment_method"],
      payment_method_data: { card: { number: "4242424242424242" } },
      shipping: { address: { line1: "1 Main St" } },
    });
  });

  test("percent-encoded brackets, array order by index, empty values", () => {
    expect(decodeForm("metadata%5Bk%5D=v&items[2]=c&items[0]=a&items[1]=b&description=")).toEqual({
      metadata: { k: "v" },
      items: ["a", "b", "c"],
      description: "",
    });
    // An array of hashes, as `payment_method_data[...]` lists are sent.
    expect(decodeForm("lines[0][amount]=1&lines[0][name]=x&lines[1][amount]=2")).toEqual({
      lines: [{ amount: "1", name: "x" }, { amount: "2" }],
    });
    // `metadata=` then keys: the empty string means "unset", later keys win.
    expect(decodeForm("metadata=&metadata[a]=1")).toEqual({ metadata: { a: "1" } });
  });

  test("rejects conflicting shapes and prototype keys", () => {
    expect(() => decodeForm("a=1&a[b]=2")).toThrow(FormDecodeError);
    expect(() => decodeForm("a[b]=1&a=2")).toThrow(FormDecodeError);
    expect(() => decodeForm("__proto__[x]=1")).toThrow(FormDecodeError);
    expect(() => decodeForm("a=%E0%A4%A")).toThrow(FormDecodeError);
  });

  test("canonical JSON ignores key order", () => {
    expect(canonicalJson(decodeForm("a=1&b[x]=2&b[y]=3"))).toBe(canonicalJson(decodeForm("b[y]=3&b[x]=2&a=1")));
    expect(canonicalJson(decodeForm("l[0]=1&l[1]=2"))).not.toBe(canonicalJson(decodeForm("l[0]=2&l[1]=1")));
  });
});

describe("parameters over HTTP", () => {
  const h = useHarness();

  test("the SDK's nested params arrive decoded", async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 1234,
      currency: "USD",
      allowed_payment_method_types: ["card", "ideal"],
      metadata: { navixy_user_id: "10001", "key with spaces": "va=lue&x" },
      description: "Top-up ü",
      capture_method: "manual",
      shipping: { name: "Jane", address: { line1: "1 Main St", city: "Riga" } },
    });
    expect(pi).toMatchObject({
      amount: 1234,
      currency: "usd",
      allowed_payment_method_types: ["card", "ideal"],
      payment_method_types: ["card"], // incompatible types are filtered out
      automatic_payment_methods: null,
      metadata: { navixy_user_id: "10001", "key with spaces": "va=lue&x" },
      description: "Top-up ü",
      capture_method: "manual",
      shipping: { name: "Jane", address: { line1: "1 Main St", city: "Riga" } },
    });
  });

  test("amount must be a positive integer string", async () => {
    for (const [amount, message] of [
      ["12.5", "Invalid integer: 12.5"],
      ["abc", "Invalid integer: abc"],
      ["0", "This value must be greater than or equal to 1."],
      ["-5", "This value must be greater than or equal to 1."],
    ] as const) {
      const res = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount, currency: "usd" } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid_integer", param: "amount", message });
    }
  });

  test("missing and unknown parameters, Stripe's minimum amount", async () => {
    const missing = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { currency: "usd" } });
    expect(missing.body.error).toMatchObject({ code: "parameter_missing", param: "amount", message: "Missing required param: amount." });
    const unknown = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount: "100", currency: "usd", amout: "1" } });
    expect(unknown.body.error).toMatchObject({ code: "parameter_unknown", param: "amout", message: "Received unknown parameter: amout" });
    const small = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount: "10", currency: "usd" } });
    expect(small.body.error).toMatchObject({ code: "amount_too_small", param: "amount", message: "Amount must be at least $0.50 usd" });
    const currency = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount: "100", currency: "xyz" } });
    expect(currency.body.error).toMatchObject({ param: "currency", type: "invalid_request_error" });
  });

  test("query strings decode the same way (list filters)", async () => {
    const created = await h.stripe.paymentIntents.create({ amount: 5000, currency: "eur" });
    const res = await call(h.emulator, "GET", `/v1/payment_intents?limit=100&created[gte]=${created.created}&expand[]=data.latest_charge`, { key: SECRET_KEY });
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { id: string }) => p.id)).toContain(created.id);
    const future = await call(h.emulator, "GET", `/v1/payment_intents?created[gt]=${created.created + 3600}`, { key: SECRET_KEY });
    expect(future.body.data).toEqual([]);
  });

  test("metadata: empty value removes a key, empty metadata clears all", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 5000, currency: "eur", metadata: { a: "1", b: "2" } });
    const removed = await h.stripe.paymentIntents.update(pi.id, { metadata: { a: "" } });
    expect(removed.metadata).toEqual({ b: "2" });
    const cleared = await h.stripe.paymentIntents.update(pi.id, { metadata: "" as unknown as Record<string, string> });
    expect(cleared.metadata).toEqual({});
  });

  test("JSON bodies are accepted too", async () => {
    const res = await call(h.emulator, "POST", "/v1/payment_intents", {
      key: SECRET_KEY,
      json: { amount: 700, currency: "eur", metadata: { n: 1 } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amount: 700, metadata: { n: "1" } });
  });
});
