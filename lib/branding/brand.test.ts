import { describe, expect, test } from "vitest";
import { brandCss, navixyImageUrl, resolveBrand, type NavixyLook } from "./brand";

const look = (over: { theme?: string; title?: string; logo?: string; favicon?: string; infoLogo?: string } = {}): NavixyLook => ({
  info: { title: "Acme Telematics Ltd", domain: "gps.acme.test", logo: over.infoLogo ?? "", favicon: "" },
  service: {
    colorTheme: over.theme ?? "",
    serviceTitle: over.title ?? "Acme GPS",
    domain: "gps.acme.test",
    logo: over.logo ?? "",
    favicon: over.favicon ?? "",
  },
});

describe("the dealer's brand", () => {
  test("from Navixy: the service's title, images and colour theme", () => {
    const b = resolveBrand({}, look({ theme: "orange", logo: "paas/5001/logo.png", favicon: "https://cdn.acme.test/f.ico" }));
    expect(b.name).toBe("Acme GPS");
    expect(b.logoUrl).toBe("https://gps.acme.test/paas/5001/logo.png");
    expect(b.faviconUrl).toBe("https://cdn.acme.test/f.ico");
    expect(b.color).toMatchObject({ chosen: "#e8590c", source: "navixy" });
    expect(b.unknownTheme).toBe("");
  });

  test("the environment overrides each part", () => {
    const b = resolveBrand({ name: "Acme", logoUrl: "https://cdn.acme.test/l.png", color: "#00ff00" }, look({ theme: "orange", logo: "paas/5001/logo.png" }));
    expect(b).toMatchObject({ name: "Acme", logoUrl: "https://cdn.acme.test/l.png" });
    expect(b.color).toMatchObject({ chosen: "#00ff00", source: "BRAND_COLOR" });
    expect(b.color!.light.adjusted).toBe(true); // pure green on white is 1.4:1
  });

  test("get_info's title and logo when the service settings have none; nothing at all: the gateway's own look", () => {
    expect(resolveBrand({}, { info: look({ infoLogo: "https://cdn.acme.test/i.png" }).info! })).toMatchObject({
      name: "Acme Telematics Ltd",
      logoUrl: "https://cdn.acme.test/i.png",
      color: null,
    });
    const none = resolveBrand({}, undefined);
    expect(none).toEqual({ name: null, logoUrl: null, faviconUrl: null, color: null, unknownTheme: "", homeUrl: null });
    expect(brandCss(none)).toBe("");
  });

  test("the way back to the dealer's tracking app: its user interface's domain in Navixy, over https", () => {
    expect(resolveBrand({}, look()).homeUrl).toBe("https://gps.acme.test/");
    expect(resolveBrand({}, { info: { title: "", domain: "https://track.acme.test/", logo: "", favicon: "" } }).homeUrl).toBe("https://track.acme.test/");
    expect(resolveBrand({}, { info: { title: "", domain: "GPS.Acme.Test:8443", logo: "", favicon: "" } }).homeUrl).toBe("https://gps.acme.test:8443/");
    for (const domain of ["", "evil.test/x?", "user@evil.test", "javascript:alert(1)", "a b.test", "-.test"]) {
      expect(resolveBrand({}, { info: { title: "", domain, logo: "", favicon: "" } }).homeUrl, domain).toBeNull();
    }
  });

  test("a colour theme we do not know keeps our colour and is reported", () => {
    const b = resolveBrand({}, look({ theme: "plaid" }));
    expect(b.color).toBeNull();
    expect(b.unknownTheme).toBe("plaid");
  });

  test.each([
    ["https://cdn.acme.test/a b.png", "gps.acme.test", "https://cdn.acme.test/a%20b.png"],
    ["//cdn.acme.test/l.png", "", "https://cdn.acme.test/l.png"],
    ["/paas/1/logo.png", "https://gps.acme.test/", "https://gps.acme.test/paas/1/logo.png"],
    ["paas/1/logo.png", "", null],
    ["javascript:alert(1)", "gps.acme.test", null],
    ["data:image/png;base64,AAAA", "", null],
    ["paas/1/logo.png", "evil.test/x?", null],
    ["", "gps.acme.test", null],
  ])("image %j on domain %j → %s", (value, domain, url) => {
    expect(navixyImageUrl(value, domain)).toBe(url);
  });
});
