// The dealer's logo and favicon come from settings a dealer controls (Navixy's service settings, BRAND_LOGO_URL):
// the gateway must never fetch them from inside its own network, serve what it got there from our origin, or tell
// the console more than why it refused.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { brandReport } from "../admin/brand-report";
import { resetLoggerForTests } from "../logging/logger";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { startWatchedServer, type WatchedServer } from "../../dev/testing/watched-server";
import { addHostedDealer, type HostedDealer } from "../../dev/testing/hosted-dealer";
import { servicesForDealer } from "../server/services";

const SECRETS_KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;
const B_KEYS = { secret: "sk_test_dealer_b", publishable: "pk_test_dealer_b", webhookSecret: "whsec_dealer_b_signing_secret" };

describe.skipIf(databaseUnavailable())("the dealer's images at internal addresses", () => {
  let gw: Gateway;
  let inside: WatchedServer;
  let dealerB: HostedDealer;
  const lines: string[] = [];
  beforeAll(async () => {
    inside = await startWatchedServer();
    gw = await startGateway({
      worker: false,
      // "localhost" is a name: it resolves to 127.0.0.1 (and ::1), which must be refused all the same.
      env: { BRAND_LOGO_URL: `https://localhost:${inside.port}/logo.png`, LOG_LEVEL: "warn", SECRETS_KEY },
      navixyBrand: { title: "Inside GPS", favicon: `${inside.url}/favicon.ico` },
    });
    // A hosted dealer sets its own logo URL.
    dealerB = await addHostedDealer(B_KEYS, { BRAND_LOGO_URL: `https://127.0.0.1:${inside.port}/logo.png` });
    expect(dealerB.report.dealer.status).toBe("active");
    // After the start: the gateway's start builds the logger afresh.
    resetLoggerForTests(
      new Writable({
        write(chunk, _e, cb) {
          lines.push(...chunk.toString().split("\n").filter(Boolean));
          cb();
        },
      }),
    );
  });
  afterAll(async () => {
    await dealerB?.navixy.close();
    await dealerB?.stripe.close();
    await gw?.close();
    await inside?.close();
    resetLoggerForTests();
  });

  test("a logo URL at 127.0.0.1 is neither fetched nor served; the setup page says why, and nothing internal", async () => {
    const logo = await gw.request("GET", "/brand/logo");
    const favicon = await gw.request("GET", "/brand/favicon");
    expect(logo.status).toBe(404);
    expect(favicon.status).toBe(404);

    const report = await brandReport(gw.services);
    expect(report.logoShown).toBe(false);
    expect(report.faviconShown).toBe(false);
    expect(report.notes).toEqual([
      `The logo at https://localhost:${inside.port}/logo.png could not be loaded (refused: not a public address): the page shows the name instead.`,
      `The favicon at ${inside.url}/favicon.ico could not be loaded (refused: only https addresses are fetched): the page uses the gateway's own.`,
    ]);

    const atB = await gw.request("GET", "/d/dealer-b/brand/logo");
    expect(atB.status).toBe(404);
    const reportB = await brandReport((await servicesForDealer(dealerB.report.dealer.id))!);
    expect(reportB.notes).toEqual([
      `The logo at https://127.0.0.1:${inside.port}/logo.png could not be loaded (refused: not a public address): the page shows the name instead.`,
    ]);

    expect(inside.connections).toBe(0);
    expect(inside.requests).toEqual([]);
    // The log names the URL and the reason; never the address a name resolved to.
    const logged = lines.filter((l) => l.includes("dealer image not available"));
    expect(logged.length).toBeGreaterThan(0);
    for (const l of logged) {
      expect(l).not.toContain('"127.0.0.1"');
      expect(l).not.toContain("::1");
      expect(l).not.toMatch(/ECONNREFUSED|EPROTO|socket/i);
    }
  });
});

describe.skipIf(databaseUnavailable())("BRAND_IMAGE_ALLOW_PRIVATE (development and tests)", () => {
  let gw: Gateway;
  let pages: WatchedServer;
  beforeAll(async () => {
    // A web page that calls itself a PNG.
    pages = await startWatchedServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end("<!doctype html><script>alert(document.cookie)</script>"));
    gw = await startGateway({
      worker: false,
      env: { BRAND_IMAGE_ALLOW_PRIVATE: "1" },
      navixyBrand: { title: "Acme GPS", logo: "emulator", favicon: `${pages.url}/favicon.png` },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await pages?.close();
  });

  test("the emulated dealer's logo on 127.0.0.1 is served, as an SVG that cannot run anything", async () => {
    const res = await fetch(`${gw.url}/brand/logo`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(await res.text()).toContain("<svg");
    expect((await brandReport(gw.services)).logoShown).toBe(true);
  });

  test("an HTML page labelled image/png is not served from our origin, and the setup page says it is not an image", async () => {
    expect((await gw.request("GET", "/brand/favicon")).status).toBe(404);
    expect(pages.requests).toEqual(["/favicon.png"]);
    expect((await brandReport(gw.services)).notes).toEqual([
      `The favicon at ${pages.url}/favicon.png could not be loaded (not an image): the page uses the gateway's own.`,
    ]);
  });
});
