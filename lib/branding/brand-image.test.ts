import { describe, expect, test } from "vitest";
import { BrandImageFetcher, MAX_BRAND_IMAGE_BYTES, brandImageResponse, imageType } from "./brand-image";
import { readNavixyLook } from "./dealer-brand";
import { OutboundFetchError, tooLarge, type PublicFetchResult } from "../security/public-fetch";

type Answer = PublicFetchResult | Error;

function fakeLoad(answers: Answer[]) {
  const urls: string[] = [];
  const fn = async (url: string) => {
    urls.push(url);
    const a = answers.shift() ?? new Error("no more answers");
    if (a instanceof Error) throw a;
    return a;
  };
  return { fn, urls };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (bytes = 10, contentType = "image/png"): PublicFetchResult => {
  const body = new Uint8Array(Math.max(bytes, 8));
  body.set(PNG_SIGNATURE);
  return { contentType, body };
};
const text = (s: string) => new TextEncoder().encode(s);

describe("the dealer's images, fetched by the server", () => {
  test("an image is fetched once and kept ten minutes", async () => {
    let now = 0;
    const f = fakeLoad([png(10), png(20)]);
    const images = new BrandImageFetcher({ load: f.fn, now: () => now });
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
    now += 9 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
    now += 2 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(20);
    expect(f.urls).toHaveLength(2);
  });

  test.each([
    ["not an image", { contentType: "text/html", body: text("<html>") }, "not an image"],
    ["an HTML page labelled image/png", { contentType: "image/png", body: text("<!doctype html><script>alert(1)</script>") }, "not an image"],
    ["an error status", new OutboundFetchError("answered HTTP 404"), "answered HTTP 404"],
    ["too large", new OutboundFetchError(tooLarge(MAX_BRAND_IMAGE_BYTES)), "too large (over 512 KB)"],
    ["refused", new OutboundFetchError("refused: not a public address"), "refused: not a public address"],
    ["some other failure", new Error("connect ECONNREFUSED 10.0.0.7:443"), "unreachable"],
  ])("%s: no image, the reason, and no new try for a minute", async (_what, answer, reason) => {
    let now = 0;
    const f = fakeLoad([answer, png(5)]);
    const images = new BrandImageFetcher({ load: f.fn, now: () => now });
    expect(await images.result("https://cdn.test/l.png")).toEqual({ image: null, problem: reason });
    expect(await images.get("https://cdn.test/l.png")).toBeNull();
    expect(f.urls).toHaveLength(1);
    now += 61_000;
    expect((await images.get("https://cdn.test/l.png"))?.contentType).toBe("image/png");
  });

  test("a failed refresh keeps the image it had", async () => {
    let now = 0;
    const f = fakeLoad([png(10), new OutboundFetchError("timed out")]);
    const images = new BrandImageFetcher({ load: f.fn, now: () => now });
    await images.get("https://cdn.test/l.png");
    now += 11 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
  });

  test("the answer: the image with its type, cached, never run as a document; or a 404", async () => {
    const ok = brandImageResponse({ body: new Uint8Array([1, 2, 3]), contentType: "image/svg+xml" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/svg+xml");
    expect(ok.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(brandImageResponse(null).status).toBe(404);
  });
});

describe("what the bytes are (served with that type, never the one declared)", () => {
  const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array<number>(32).fill(0)]);
  test.each([
    ["PNG", bytes(...PNG_SIGNATURE), "image/png", "image/png"],
    ["PNG declared as JPEG", bytes(...PNG_SIGNATURE), "image/jpeg", "image/png"],
    ["JPEG", bytes(0xff, 0xd8, 0xff, 0xe0), "image/jpeg", "image/jpeg"],
    ["GIF", text("GIF89a\u0001\u0000\u0001\u0000"), "image/gif", "image/gif"],
    ["WebP", text("RIFF\u0000\u0000\u0000\u0000WEBPVP8 "), "image/webp", "image/webp"],
    ["AVIF", text("\u0000\u0000\u0000\u001cftypavif\u0000\u0000\u0000\u0000avifmif1"), "image/avif", "image/avif"],
    ["ICO", bytes(0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x10, 0x10), "image/x-icon", "image/x-icon"],
    ["SVG", text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), "image/svg+xml", "image/svg+xml"],
    ["SVG with a byte-order mark", text('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>'), "image/svg+xml", "image/svg+xml"],
    ["SVG declared as PNG", text('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), "image/png", null],
    ["HTML declared as SVG", text("<html><body>hi</body></html>"), "image/svg+xml", null],
    ["HTML declared as PNG", text("<html><body>hi</body></html>"), "image/png", null],
    ["a JSON error declared as PNG", text('{"error":"internal"}'), "image/png", null],
    ["nothing", new Uint8Array(0), "image/png", null],
  ])("%s", (_what, body, declared, expected) => {
    expect(imageType(body, declared)).toBe(expected);
  });
});

describe("what Navixy says of the dealer's look", () => {
  const info = { id: 1, title: "Acme", locale: "en_US", domain: "gps.acme.test", logo: "", favicon: "" };
  const service = { colorTheme: "aqua", serviceTitle: "Acme GPS", domain: "gps.acme.test", logo: "", favicon: "" };
  test("both reads, or the one that worked (an API user may lack a permission); neither: an error", async () => {
    const ok = <T,>(v: T) => () => Promise.resolve(v);
    const no = () => Promise.reject(new Error("forbidden"));
    expect(await readNavixyLook({ readDealerInfo: ok(info), readServiceSettings: ok(service) })).toEqual({ info, service });
    expect(await readNavixyLook({ readDealerInfo: no, readServiceSettings: ok(service) })).toEqual({ service });
    expect(await readNavixyLook({ readDealerInfo: ok(info), readServiceSettings: no })).toEqual({ info });
    await expect(readNavixyLook({ readDealerInfo: no, readServiceSettings: no })).rejects.toThrow("forbidden");
  });

  test("keeps a bounded number of images, the least recently used going first", async () => {
    const f = fakeLoad([png(), png(), png(), png()]);
    const images = new BrandImageFetcher({ load: f.fn, now: () => 0, capacity: 2 });
    await images.get("https://a.example/logo.png");
    await images.get("https://b.example/logo.png");
    await images.get("https://a.example/logo.png");
    await images.get("https://c.example/logo.png");
    expect(f.urls).toHaveLength(3);
    await images.get("https://a.example/logo.png"); // kept: used recently
    expect(f.urls).toHaveLength(3);
    await images.get("https://b.example/logo.png"); // dropped for c: fetched again
    expect(f.urls).toEqual(["https://a.example/logo.png", "https://b.example/logo.png", "https://c.example/logo.png", "https://b.example/logo.png"]);
  });
});
