import { describe, expect, test } from "vitest";
import { hashPassword, verifyPassword } from "./password-hash";

describe("console password hashes", () => {
  test("a salted scrypt hash that names its parameters; the password checks, anything else does not", async () => {
    const stored = await hashPassword("dealer b's own password");
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain("dealer");
    expect(await hashPassword("dealer b's own password")).not.toBe(stored); // a new salt each time
    expect(await verifyPassword("dealer b's own password", stored)).toBe(true);
    expect(await verifyPassword("dealer b's own password ", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  test("no hash, a malformed one or parameters out of bounds never match", async () => {
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", undefined)).toBe(false);
    expect(await verifyPassword("anything", "plain-text")).toBe(false);
    const stored = await hashPassword("pw-pw-pw-pw-pw");
    expect(await verifyPassword("pw-pw-pw-pw-pw", stored.replace(/^scrypt\$15\$/, "scrypt$30$"))).toBe(false);
    expect(await verifyPassword("pw-pw-pw-pw-pw", stored.replace(/^scrypt\$15\$/, "scrypt$14$"))).toBe(false);
  });
});
