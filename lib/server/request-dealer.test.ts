import { describe, expect, test } from "vitest";
import { splitDealerPath, trailingSlashRedirect } from "./request-dealer";

describe("splitDealerPath", () => {
  test("a dealer's paths", () => {
    expect(splitDealerPath("/d/acme")).toEqual({ slug: "acme", path: "/" });
    expect(splitDealerPath("/d/acme/")).toEqual({ slug: "acme", path: "/" });
    expect(splitDealerPath("/d/acme/payment/complete")).toEqual({ slug: "acme", path: "/payment/complete" });
    expect(splitDealerPath("/admin")).toBeNull();
    expect(splitDealerPath("/d/")).toBeNull();
  });

  test("a malformed percent-escape in the slug names no dealer, and does not throw", () => {
    expect(splitDealerPath("/d/%E0%A4%A/")).toEqual({ slug: null, path: "/" });
    expect(splitDealerPath("/d/%/api/payments")).toEqual({ slug: null, path: "/api/payments" });
    expect(splitDealerPath("/d/acme%zz")).toEqual({ slug: null, path: "/" });
    expect(splitDealerPath("/d/%61cme/")).toEqual({ slug: "acme", path: "/" });
  });
});

describe("trailingSlashRedirect", () => {
  test("a dealer's checkout, /d/<slug>/, answers at once; so does /", () => {
    expect(trailingSlashRedirect("/d/acme/", "?id=1")).toBeNull();
    expect(trailingSlashRedirect("/", "?id=1")).toBeNull();
    expect(trailingSlashRedirect("/d/acme", "?id=1")).toBeNull();
    expect(trailingSlashRedirect("/admin", "")).toBeNull();
  });

  test("every other path with a trailing slash goes to the one without, with its query", () => {
    expect(trailingSlashRedirect("/admin/", "")).toBe("/admin");
    expect(trailingSlashRedirect("/payment/complete/", "?payment_intent=pi_1")).toBe("/payment/complete?payment_intent=pi_1");
    expect(trailingSlashRedirect("/d/acme/payment/complete/", "?x=1")).toBe("/d/acme/payment/complete?x=1");
    expect(trailingSlashRedirect("/api/payments//", "")).toBe("/api/payments");
  });

  test("never to another host", () => {
    expect(trailingSlashRedirect("//evil.example/", "")).toBe("/evil.example");
    expect(trailingSlashRedirect("///evil.example/x/", "")).toBe("/evil.example/x");
  });
});
