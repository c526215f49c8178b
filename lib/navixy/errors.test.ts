import { describe, expect, it } from "vitest";
import {
  NAVIXY_ERROR_CODES,
  NavixyApiError,
  NavixyTransportError,
  navixyErrorKind,
  navixyErrorMaybeApplied,
} from "./errors";

describe("error code mapping", () => {
  it("maps every documented code explicitly", () => {
    expect(navixyErrorKind(3)).toBe("session");
    expect(navixyErrorKind(4)).toBe("session");
    expect(navixyErrorKind(1)).toBe("transient");
    expect(navixyErrorKind(15)).toBe("transient");
    expect(navixyErrorKind(201)).toBe("not_found");
    expect(navixyErrorKind(251)).toBe("insufficient_funds");
    for (const c of [7, 11, 13, 102, 211]) expect(navixyErrorKind(c)).toBe("permanent");
    expect(Object.keys(NAVIXY_ERROR_CODES).map(Number).sort((a, b) => a - b)).toEqual([1, 3, 4, 7, 11, 13, 15, 102, 201, 211, 251]);
  });

  it("treats unknown codes as permanent and maybe applied", () => {
    expect(navixyErrorKind(500)).toBe("permanent");
    expect(navixyErrorKind(9999)).toBe("permanent");
    expect(navixyErrorMaybeApplied(9999)).toBe(true);
    expect(navixyErrorMaybeApplied(1)).toBe(true);
    expect(navixyErrorMaybeApplied(251)).toBe(false);
    expect(navixyErrorMaybeApplied(4)).toBe(false);
  });

  it("builds errors with the fields and a readable message", () => {
    const e = new NavixyApiError({
      method: "panel/user/transaction/change_balance",
      code: 7,
      description: "Invalid parameters",
      httpStatus: 400,
      errors: [{ parameter: "amount", error: "too many decimals" }],
    });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: "NavixyApiError", code: 7, kind: "permanent", httpStatus: 400, maybeApplied: false });
    expect(e.message).toContain("code 7");
    expect(e.message).toContain("amount: too many decimals");
    expect(new NavixyApiError({ method: "balance/refill", code: 3, description: "", httpStatus: 400, kind: "permanent" }).kind).toBe(
      "permanent",
    );
    const t = new NavixyTransportError({ method: "m", phase: "connect", maybeApplied: false, message: "refused" });
    expect(t).toMatchObject({ name: "NavixyTransportError", phase: "connect", maybeApplied: false });
  });
});
