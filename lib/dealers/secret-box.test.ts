import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import {
  SecretOpenError,
  SecretsKeyError,
  maskSecret,
  needsReseal,
  openSecret,
  parseSecretsKey,
  resealSecret,
  sealSecret,
  type SecretKeyring,
} from "./secret-box";

// Random keys, so that "no key material in the output" is checked against bytes that cannot appear by chance.
const NEW = randomBytes(32);
const OLD = randomBytes(32);
const b64 = (b: Buffer) => b.toString("base64");
const CTX = "dealer:dlr_123:stripeSecretKey";
const SECRET = "sk_test_51HabcdefghijklmnopqrstuvwxyZ4242";

/** Every spelling of a key that must never show up in a message or a printout. */
const spellings = (key: Buffer) => [key.toString("base64").replace(/=+$/, ""), key.toString("base64url"), key.toString("hex")];

function expectOpenError(fn: () => unknown, reason: SecretOpenError["reason"], text?: string): SecretOpenError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SecretOpenError);
  const error = caught as SecretOpenError;
  expect(error.reason).toBe(reason);
  if (text) expect(error.message).toContain(text);
  expect(error.message).not.toContain(SECRET);
  return error;
}

/** Re-encodes one base64url segment of a sealed value with its first byte flipped. */
function flipSegment(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[index]!, "base64url");
  bytes[0]! ^= 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

describe("sealing and opening", () => {
  const ring = parseSecretsKey(`k2:${b64(NEW)},k1:${b64(OLD)}`);

  test("round trip, in the documented format, under the current key", () => {
    const sealed = sealSecret(ring, SECRET, CTX);
    expect(sealed).toMatch(/^v1\.k2\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(SECRET);
    expect(openSecret(ring, sealed, CTX)).toBe(SECRET);
    for (const text of ["", "pässwörd 🔑", "x".repeat(5000)]) expect(openSecret(ring, sealSecret(ring, text, CTX), CTX)).toBe(text);
  });

  test("the same plaintext seals differently each time (fresh IV)", () => {
    const values = Array.from({ length: 20 }, () => sealSecret(ring, SECRET, CTX));
    expect(new Set(values).size).toBe(20);
    expect(new Set(values.map((v) => v.split(".")[2])).size).toBe(20);
  });

  test("a value does not open for another dealer or another field", () => {
    const sealed = sealSecret(ring, SECRET, CTX);
    expectOpenError(() => openSecret(ring, sealed, "dealer:dlr_124:stripeSecretKey"), "authentication");
    expectOpenError(() => openSecret(ring, sealed, "dealer:dlr_123:stripeWebhookSecret"), "authentication");
    expect(() => sealSecret(ring, SECRET, "")).toThrow(TypeError);
  });

  test("any change to the IV, ciphertext, tag or key id fails", () => {
    const sealed = sealSecret(ring, SECRET, CTX);
    for (const index of [2, 3, 4]) expectOpenError(() => openSecret(ring, flipSegment(sealed, index), CTX), "authentication");
    // Another key of the ring: it does not authenticate. A key the ring lacks, or no key id at all: said so.
    expectOpenError(() => openSecret(ring, sealed.replace(".k2.", ".k1."), CTX), "authentication");
    expectOpenError(() => openSecret(ring, sealed.replace(".k2.", ".k9."), CTX), "unknown-key", "'k9'");
    expectOpenError(() => openSecret(ring, sealed.replace(".k2.", ".k.2."), CTX), "malformed");
    // A key with the same id but other bytes (SECRETS_KEY replaced instead of rotated).
    const impostor = parseSecretsKey(`k2:${b64(randomBytes(32))}`);
    expectOpenError(() => openSecret(impostor, sealed, CTX), "authentication");
  });

  test("malformed values are refused as such, before any key is tried", () => {
    const sealed = sealSecret(ring, SECRET, CTX);
    const [, id, iv, ct, tag] = sealed.split(".");
    const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // The tag's last character carries 4 spare bits: setting one spells the same bytes non-canonically.
    const nonCanonicalTag = tag!.slice(0, -1) + url[url.indexOf(tag!.at(-1)!) | 1];
    const cases = [
      "",
      "not sealed",
      SECRET,
      sealed.replace(/^v1/, "v2"),
      `${sealed}.extra`,
      ["v1", id, iv!.slice(4), ct, tag].join("."), // IV too short
      ["v1", id, iv, ct, tag!.slice(0, 20)].join("."), // truncated tag
      ["v1", id, iv, `${ct}!`, tag].join("."), // not base64url
      ["v1", id, iv, ct, nonCanonicalTag].join("."),
    ];
    for (const bad of cases) expectOpenError(() => openSecret(ring, bad, CTX), "malformed");
    expect(() => needsReseal(ring, "garbage")).toThrow(SecretOpenError);
  });

  test("only a keyring from parseSecretsKey is accepted", () => {
    const forged = { current: { id: "k2" }, ids: ["k2"], toJSON: () => ({ current: "k2", ids: ["k2"] }) } as SecretKeyring;
    expect(() => sealSecret(forged, SECRET, CTX)).toThrow(TypeError);
  });
});

describe("rotation", () => {
  const oldRing = parseSecretsKey(`old1:${b64(OLD)}`);
  const rotating = parseSecretsKey(`new1:${b64(NEW)},old1:${b64(OLD)}`);
  const newRing = parseSecretsKey(`new1:${b64(NEW)}`);

  test("a ring new,old opens old values, marks them for resealing, and reseals them under the new key", () => {
    const legacy = sealSecret(oldRing, SECRET, CTX);
    expect(openSecret(rotating, legacy, CTX)).toBe(SECRET);
    expect(needsReseal(rotating, legacy)).toBe(true);
    expect(needsReseal(oldRing, legacy)).toBe(false);

    const resealed = resealSecret(rotating, legacy, CTX);
    expect(resealed.split(".")[1]).toBe("new1");
    expect(needsReseal(rotating, resealed)).toBe(false);
    expect(openSecret(newRing, resealed, CTX)).toBe(SECRET);
    expectOpenError(() => resealSecret(rotating, legacy, "dealer:dlr_999:stripeSecretKey"), "authentication");
  });

  test("once the old key is dropped, an old value says which key it needs", () => {
    const legacy = sealSecret(oldRing, SECRET, CTX);
    const error = expectOpenError(() => openSecret(newRing, legacy, CTX), "unknown-key");
    expect(error.message).toContain("sealed with key 'old1', which SECRETS_KEY no longer has");
    for (const s of spellings(OLD)) expect(error.message).not.toContain(s);
  });
});

describe("parseSecretsKey", () => {
  test("ids given or derived, base64 or base64url, padded or not, newest first", () => {
    const ring = parseSecretsKey(` a_1:${NEW.toString("base64url")} , ${b64(OLD).replace(/=+$/, "")} `);
    const derived = createHash("sha256").update(OLD).digest("hex").slice(0, 8);
    expect(ring.current.id).toBe("a_1");
    expect(ring.ids).toEqual(["a_1", derived]);
    const sealed = sealSecret(parseSecretsKey(b64(OLD)), SECRET, CTX);
    expect(sealed.split(".")[1]).toBe(derived);
    expect(openSecret(ring, sealed, CTX)).toBe(SECRET);
  });

  const short = randomBytes(16);
  const cases: [string, string | undefined, string][] = [
    ["unset", undefined, "SECRETS_KEY is not set"],
    ["empty", "", "SECRETS_KEY is not set"],
    ["blank", "  ", "SECRETS_KEY is not set"],
    ["stray comma", `k1:${b64(NEW)},`, "SECRETS_KEY: key 2 is empty"],
    ["bad base64", `k1:${b64(NEW)},k2:${b64(OLD).slice(0, 20)}!!${b64(OLD).slice(22)}`, "SECRETS_KEY: key 2 is not valid base64"],
    ["a typo in the last character", `k1:${b64(NEW).slice(0, 42)}${b64(NEW)[42] === "B" ? "C" : "B"}=`, "SECRETS_KEY: key 1 is not valid base64"],
    ["mixed alphabets", `k1:${b64(NEW).replace(/.{4}/, "ab+_")}`, "SECRETS_KEY: key 1 is not valid base64"],
    ["hex instead of base64", `k1:${OLD.toString("hex")}`, "SECRETS_KEY: key 1 is 48 bytes, it must be 32 (openssl rand -base64 32)"],
    ["16 bytes", `k1:${b64(NEW)},k2:${b64(short)}`, "SECRETS_KEY: key 2 is 16 bytes, it must be 32 (openssl rand -base64 32)"],
    ["bad id", `key.one:${b64(NEW)}`, "SECRETS_KEY: key 1 has an invalid id"],
    ["id too long", `${"k".repeat(17)}:${b64(NEW)}`, "SECRETS_KEY: key 1 has an invalid id"],
    ["duplicate ids", `k1:${b64(NEW)},K1:${b64(OLD)}`, "SECRETS_KEY: keys 1 and 2 have the same id 'K1'"],
    ["the same key twice", `${b64(OLD)},${b64(OLD)}`, "SECRETS_KEY: keys 1 and 2 have the same id"],
  ];
  test.each(cases)("%s: names SECRETS_KEY and what is wrong, shows no key material", (_name, value, expected) => {
    let caught: unknown;
    try {
      parseSecretsKey(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SecretsKeyError);
    const message = (caught as Error).message;
    expect(message).toContain(expected);
    for (const key of [NEW, OLD, short]) for (const s of spellings(key)) expect(message).not.toContain(s.slice(0, 12));
  });

  test("JSON and util.inspect show ids only", () => {
    const ring = parseSecretsKey(`k2:${b64(NEW)},k1:${b64(OLD)}`);
    const printed = [JSON.stringify(ring), JSON.stringify({ ring }), inspect(ring, { showHidden: true, depth: 10 }), String(Object.values(ring))];
    expect(JSON.parse(printed[0]!)).toEqual({ current: "k2", ids: ["k2", "k1"] });
    expect(printed[2]).toContain("k1");
    for (const text of printed) for (const key of [NEW, OLD]) for (const s of spellings(key)) expect(text).not.toContain(s.slice(0, 12));
    expect(Object.keys(ring).sort()).toEqual(["current", "ids", "toJSON"]);
  });
});

describe("maskSecret", () => {
  test.each([
    ["sk_test_51HabcdefghijklmnopqrstuvwxyZ4242", "sk_test_…4242"],
    ["rk_live_51HabcdefghijklmnopqrstuvwxyZ9876", "rk_live_…9876"],
    ["whsec_0123456789abcdefghijABCD", "whsec_…ABCD"],
    ["0123456789abcdef0123456789abcdef", "…cdef"], // a Navixy API hash: no known prefix
    ["my_panel_password_9", "…rd_9"], // an underscore is not a prefix unless it is a known one
    ["short-pass1", "••••"], // 11 characters
    ["sk_test_abcd", "••••"], // long enough, but the body alone is 4 characters
    ["", "••••"],
  ])("%s → %s", (plaintext, masked) => {
    expect(maskSecret(plaintext)).toBe(masked);
  });

  test("never more than 4 characters of the body", () => {
    for (let n = 0; n < 60; n++) {
      const body = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, n);
      const masked = maskSecret(`whsec_${body}`);
      const shown = masked.replace(/^whsec_/, "").replace(/[…•]/g, "");
      expect(shown.length).toBeLessThanOrEqual(4);
      if (shown) expect(body.endsWith(shown)).toBe(true);
    }
  });
});
