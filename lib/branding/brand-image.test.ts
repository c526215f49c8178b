import { describe, expect, test } from "vitest";
import { BrandImageFetcher, MAX_BRAND_IMAGE_BYTES, brandImageResponse } from "./brand-image";
import { readNavixyLook } from "./dealer-brand";

type Answer = Response | Error;

function fakeFetch(answers: Answer[]) {
  const urls: string[] = [];
  const fn = (async (url: string | URL | Request) => {
    urls.push(String(url));
    const a = answers.shift() ?? new Error("no more answers");
    if (a instanceof Error) throw a;
    return a;
  }) as typeof fetch;
  return { fn, urls };
}

const png = (bytes = 10, type = "image/png") => new Response(new Uint8Array(bytes), { headers: { "content-type": type } });

describe("the dealer's images, fetched by the server", () => {
  test("an image is fetched once and kept ten minutes", async () => {
    let now = 0;
    const f = fakeFetch([png(10), png(20)]);
    const images = new BrandImageFetcher({ fetch: f.fn, now: () => now });
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
    now += 9 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
    now += 2 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(20);
    expect(f.urls).toHaveLength(2);
  });

  test.each([
    ["not an image", new Response("<html>", { headers: { "content-type": "text/html" } })],
    ["an error status", new Response("", { status: 404, headers: { "content-type": "image/png" } })],
    ["too large", png(MAX_BRAND_IMAGE_BYTES + 1)],
    ["unreachable", new Error("ECONNREFUSED")],
  ])("%s: no image, and no new try for a minute", async (_what, answer) => {
    let now = 0;
    const f = fakeFetch([answer, png(5)]);
    const images = new BrandImageFetcher({ fetch: f.fn, now: () => now });
    expect(await images.get("https://cdn.test/l.png")).toBeNull();
    expect(await images.get("https://cdn.test/l.png")).toBeNull();
    expect(f.urls).toHaveLength(1);
    now += 61_000;
    expect((await images.get("https://cdn.test/l.png"))?.contentType).toBe("image/png");
  });

  test("a failed refresh keeps the image it had", async () => {
    let now = 0;
    const f = fakeFetch([png(10), new Error("down")]);
    const images = new BrandImageFetcher({ fetch: f.fn, now: () => now });
    await images.get("https://cdn.test/l.png");
    now += 11 * 60_000;
    expect((await images.get("https://cdn.test/l.png"))?.body.byteLength).toBe(10);
  });

  test("the answer: the image with its type, cached, never run as a document; or a 404", async () => {
    const ok = brandImageResponse({ body: new Uint8Array([1, 2, 3]), contentType: "image/svg+xml" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/svg+xml");
    expect(ok.headers.get("content-security-policy")).toContain("sandbox");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(brandImageResponse(null).status).toBe(404);
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
});
