// A fetch of a URL someone else chose, against real HTTP servers on loopback addresses. The server on 127.0.0.1
// stands for everything inside (the host, the private network, the cloud's metadata service): it must receive
// nothing, not even a connection. The server on 127.0.0.2 stands for a public one (the policy below lets that one
// address through), so that redirects, caps and deadlines can be shown on a server the fetch does reach.
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWatchedServer, PNG_BYTES, type WatchedServer } from "../../dev/testing/watched-server";
import { isPublicAddress } from "./public-address";
import {
  PUBLIC_ONLY,
  REFUSED_NOT_HTTPS,
  REFUSED_NOT_PUBLIC,
  REFUSED_REDIRECTS,
  TIMED_OUT,
  UNREACHABLE,
  fetchPublic,
  resolveAll,
  tooLarge,
  type OutboundPolicy,
  type ResolvedAddress,
} from "./public-fetch";

const MAX = 512 * 1024;
const STANDS_FOR_PUBLIC = "127.0.0.2";

let inside: WatchedServer;
let outside: WatchedServer;
/** Every chunk the endless body wrote, and whether the client hung up. */
const endless = { written: 0, closed: false };

function outsideHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = req.url ?? "/";
  if (path === "/logo.png") return void res.writeHead(200, { "content-type": "image/png" }).end(PNG_BYTES);
  if (path === "/to-inside") return void res.writeHead(302, { location: `${inside.url}/logo.png` }).end();
  if (path === "/to-inside-name") return void res.writeHead(307, { location: `http://inside.test:${inside.port}/logo.png` }).end();
  if (path === "/to-logo") return void res.writeHead(301, { location: "/logo.png" }).end();
  if (path === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
  if (path === "/declared-large") return void res.writeHead(200, { "content-type": "image/png", "content-length": String(MAX + 1) }).end(Buffer.alloc(MAX + 1));
  if (path === "/error") return void res.writeHead(500, { "content-type": "text/plain" }).end("database at 10.0.0.3:5432 refused the connection");
  if (path === "/endless") {
    // No Content-Length: the cap must hold while the body streams, and the connection be dropped there.
    res.writeHead(200, { "content-type": "image/png" });
    res.on("close", () => {
      endless.closed = true;
    });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const more = () => {
      while (!res.destroyed && endless.written < 16 * 1024 * 1024) {
        endless.written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
      res.end();
    };
    return more();
  }
  if (path === "/slow-body") {
    res.writeHead(200, { "content-type": "image/png" });
    res.write(PNG_BYTES.subarray(0, 8));
    return; // and nothing more
  }
  if (path === "/slow-headers") return; // never answers
  res.writeHead(404).end();
}

/** Names the tests resolve themselves (an injected resolver); "rebind.test" answers differently the second time. */
const resolutions: string[] = [];
async function testResolver(hostname: string): Promise<ResolvedAddress[]> {
  resolutions.push(hostname);
  switch (hostname) {
    case "cdn.public.test":
      return [{ address: STANDS_FOR_PUBLIC, family: 4 }];
    case "inside.test":
      return [{ address: "127.0.0.1", family: 4 }];
    case "mixed.test":
      return [
        { address: "93.184.216.34", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ];
    case "mapped.test":
      return [{ address: "::ffff:127.0.0.1", family: 6 }];
    case "metadata.test":
      return [{ address: "169.254.169.254", family: 4 }];
    case "rebind.test":
      return resolutions.filter((h) => h === hostname).length === 1 ? [{ address: STANDS_FOR_PUBLIC, family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    case "never.test":
      return new Promise(() => {});
    default:
      return resolveAll(hostname);
  }
}

/** As in production (public addresses only), but over http (the test servers have no certificates). */
const PUBLIC_OVER_HTTP: OutboundPolicy = { allowHttp: true, allowAddress: isPublicAddress, resolve: testResolver };
/** The same, with 127.0.0.2 standing for a public address. */
const WITH_OUTSIDE: OutboundPolicy = { ...PUBLIC_OVER_HTTP, allowAddress: (a) => a === STANDS_FOR_PUBLIC || isPublicAddress(a) };

const get = (url: string, policy: OutboundPolicy = WITH_OUTSIDE, deadlineMs = 3_000) => fetchPublic(url, { policy, maxBytes: MAX, deadlineMs, accept: "image/*" });
const reasonOf = (url: string, policy?: OutboundPolicy, deadlineMs?: number) =>
  get(url, policy, deadlineMs).then(
    () => "fetched",
    (e: { reason?: string }) => e.reason ?? String(e),
  );

beforeAll(async () => {
  // The same port on 127.0.0.1: a connection that went to the wrong address would land there. (Another process may
  // hold that port on 127.0.0.1: then take another.)
  for (let attempt = 1; ; attempt++) {
    outside = await startWatchedServer(outsideHandler, { host: STANDS_FOR_PUBLIC });
    try {
      inside = await startWatchedServer(undefined, { host: "127.0.0.1", port: outside.port });
      return;
    } catch (error) {
      await outside.close();
      if (attempt === 5) throw error;
    }
  }
});
afterAll(async () => {
  await inside?.close();
  await outside?.close();
});

describe("an address inside is refused before any connection", () => {
  test.each([
    ["https to 127.0.0.1", () => `https://127.0.0.1:${inside.port}/logo.png`, PUBLIC_ONLY, REFUSED_NOT_PUBLIC],
    ["http (production refuses plain http first)", () => `${inside.url}/logo.png`, PUBLIC_ONLY, REFUSED_NOT_HTTPS],
    ["http to 127.0.0.1", () => `${inside.url}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["127.0.0.1 written as one number", () => `http://2130706433:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["127.0.0.1 written in hex", () => `http://0x7f.1:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["0.0.0.0 (reaches this host)", () => `http://0.0.0.0:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["IPv4-mapped IPv6", () => `http://[::ffff:127.0.0.1]:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["IPv6 loopback", () => `http://[::1]:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["the cloud's metadata service", () => "http://169.254.169.254/latest/meta-data/", PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["localhost (the system's resolver)", () => `https://localhost:${inside.port}/logo.png`, PUBLIC_ONLY, REFUSED_NOT_PUBLIC],
    ["a public-looking name that resolves to 127.0.0.1", () => `http://inside.test:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["a name with one public and one inside address", () => `http://mixed.test:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["a name that resolves to ::ffff:127.0.0.1", () => `http://mapped.test:${inside.port}/logo.png`, PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["a name that resolves to 169.254.169.254", () => "http://metadata.test/latest/meta-data/", PUBLIC_OVER_HTTP, REFUSED_NOT_PUBLIC],
    ["a redirect from an allowed server to 127.0.0.1", () => `${outside.url}/to-inside`, WITH_OUTSIDE, REFUSED_NOT_PUBLIC],
    ["a redirect from an allowed server to a name inside", () => `${outside.url}/to-inside-name`, WITH_OUTSIDE, REFUSED_NOT_PUBLIC],
  ])("%s", async (_what, url, policy, reason) => {
    const before = inside.connections;
    expect(await reasonOf(url(), policy)).toBe(reason);
    expect(inside.connections).toBe(before);
    expect(inside.requests).toEqual([]);
  });

  test("the name is resolved once and the connection goes to the address checked (no rebinding)", async () => {
    resolutions.length = 0;
    const { body, contentType } = await get(`http://rebind.test:${outside.port}/logo.png`);
    expect(contentType).toBe("image/png");
    expect(Buffer.from(body)).toEqual(PNG_BYTES);
    expect(resolutions).toEqual(["rebind.test"]);
    // A second fetch asks DNS again, now gets 127.0.0.1, and is refused.
    expect(await reasonOf(`http://rebind.test:${outside.port}/logo.png`)).toBe(REFUSED_NOT_PUBLIC);
    expect(inside.connections).toBe(0);
  });

  test("a name through the resolver, and a redirect on the same server, are followed", async () => {
    expect(Buffer.from((await get(`http://cdn.public.test:${outside.port}/logo.png`)).body)).toEqual(PNG_BYTES);
    expect(Buffer.from((await get(`${outside.url}/to-logo`)).body)).toEqual(PNG_BYTES);
  });
});

describe("what a reachable server can do", () => {
  test("redirects: at most three are followed", async () => {
    const before = outside.requests.length;
    expect(await reasonOf(`${outside.url}/loop`)).toBe(REFUSED_REDIRECTS);
    expect(outside.requests.length - before).toBe(4);
  });

  test("a declared length over the cap is refused unread", async () => {
    expect(await reasonOf(`${outside.url}/declared-large`)).toBe(tooLarge(MAX));
    expect(tooLarge(MAX)).toBe("too large (over 512 KB)");
  });

  test("a body without Content-Length is cut at the cap: the connection is dropped, not read to the end", async () => {
    expect(await reasonOf(`${outside.url}/endless`)).toBe(tooLarge(MAX));
    await expect.poll(() => endless.closed).toBe(true);
    expect(endless.written).toBeLessThan(4 * 1024 * 1024);
  });

  test.each([
    ["a body that stalls", "/slow-body"],
    ["an answer that never comes", "/slow-headers"],
  ])("%s: timed out at the deadline", async (_what, path) => {
    const started = Date.now();
    expect(await reasonOf(`${outside.url}${path}`, WITH_OUTSIDE, 400)).toBe(TIMED_OUT);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a resolver that never answers: timed out", async () => {
    expect(await reasonOf("http://never.test/logo.png", WITH_OUTSIDE, 300)).toBe(TIMED_OUT);
  });

  test("an error status is named, its body is not read out", async () => {
    expect(await reasonOf(`${outside.url}/error`)).toBe("answered HTTP 500");
  });

  test("nothing listening: unreachable", async () => {
    const gone = await startWatchedServer(undefined, { host: STANDS_FOR_PUBLIC });
    await gone.close();
    expect(await reasonOf(`${gone.url}/logo.png`)).toBe(UNREACHABLE);
  });
});
