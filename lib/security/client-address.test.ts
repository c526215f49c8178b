// The client address rule (lib/security/client-address.ts) case by case: the connection's own address unless it is
// a trusted proxy, then leftwards through X-Forwarded-For only as far as trusted proxies vouch for it.
import { describe, expect, test } from "vitest";
import { parseTrustedProxies, type TrustedProxies } from "../config/trusted-proxies";
import { PEER_ADDRESS_HEADER, addressBucket, clientAddress, normalizeAddress, requireClientAddress } from "./client-address";

function trust(text: string): TrustedProxies {
  const parsed = parseTrustedProxies(text);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return parsed;
}

const from = (peer: string | null, forwardedFor?: string) => {
  const h = new Headers();
  if (peer !== null) h.set(PEER_ADDRESS_HEADER, peer);
  if (forwardedFor !== undefined) h.set("x-forwarded-for", forwardedFor);
  return h;
};

describe("client address", () => {
  test("no proxy: the connection's own address, whatever X-Forwarded-For says", () => {
    const none = trust("none");
    expect(clientAddress(from("203.0.113.5"), none)).toBe("203.0.113.5");
    expect(clientAddress(from("203.0.113.5", "198.51.100.1"), none)).toBe("203.0.113.5");
    expect(clientAddress(from("::ffff:203.0.113.5", "198.51.100.1, 127.0.0.1"), none)).toBe("203.0.113.5");
    expect(clientAddress(from("127.0.0.1", "198.51.100.1"), trust("0"))).toBe("127.0.0.1");
  });

  test("trusted proxies by address: leftwards while the address is one of them; a bypass is counted by its own address", () => {
    const t = trust("loopback, 10.0.0.0/8");
    expect(clientAddress(from("127.0.0.1", "198.51.100.1"), t)).toBe("198.51.100.1");
    expect(clientAddress(from("127.0.0.1", "1.1.1.1, 198.51.100.1"), t)).toBe("198.51.100.1"); // the client's own entry is never read
    expect(clientAddress(from("127.0.0.1", "1.1.1.1, 198.51.100.1, 10.2.3.4"), t)).toBe("198.51.100.1"); // two proxies
    expect(clientAddress(from("198.51.100.7", "10.2.3.4, 127.0.0.1"), t)).toBe("198.51.100.7"); // around the proxies
    expect(clientAddress(from("127.0.0.1"), t)).toBe("127.0.0.1"); // the proxy's own request (a health check)
    expect(clientAddress(from("127.0.0.1", "10.2.3.4"), t)).toBe("10.2.3.4"); // only proxies all the way: the farthest
    expect(clientAddress(from("127.0.0.1", "2001:DB8::1"), t)).toBe("2001:db8::1");
    expect(clientAddress(from("127.0.0.1", "[2001:db8::1]:4711"), t)).toBe("2001:db8::1");
    expect(clientAddress(from("127.0.0.1", "198.51.100.1:5120"), t)).toBe("198.51.100.1");
    expect(clientAddress(from("::1", "198.51.100.1"), t)).toBe("198.51.100.1");
  });

  test("garbage where a trusted proxy should have written an address: the proxy's own address, never a shared constant", () => {
    const t = trust("loopback");
    expect(clientAddress(from("127.0.0.1", "unknown"), t)).toBe("127.0.0.1");
    expect(clientAddress(from("127.0.0.1", "198.51.100.1, not-an-address"), t)).toBe("127.0.0.1");
    expect(clientAddress(from("127.0.0.1", ""), t)).toBe("127.0.0.1");
  });

  test("a hop count: the N-th entry from the right; fewer entries than hops stop at the leftmost", () => {
    const two = trust("2");
    expect(clientAddress(from("10.0.0.9", "1.1.1.1, 198.51.100.1, 172.16.0.3"), two)).toBe("198.51.100.1");
    expect(clientAddress(from("10.0.0.9", "198.51.100.1"), two)).toBe("198.51.100.1");
    expect(clientAddress(from("10.0.0.9"), two)).toBe("10.0.0.9");
  });

  test("no stamp, no address: the routes refuse rather than count everyone together", () => {
    expect(clientAddress(from(null, "198.51.100.1"), trust("loopback"))).toBeNull();
    expect(clientAddress(from("nonsense"), trust("none"))).toBeNull();
    expect(() => requireClientAddress(from(null), trust("none"))).toThrow(expect.objectContaining({ status: 503, code: "client_address_unknown" }));
  });

  test("addresses are compared in one spelling; an IPv6 client is counted by its /64", () => {
    expect(normalizeAddress(" 203.0.113.5 ")).toBe("203.0.113.5");
    expect(normalizeAddress("::FFFF:203.0.113.5")).toBe("203.0.113.5");
    expect(normalizeAddress("2001:DB8:0:0::1")).toBe("2001:db8::1");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeAddress("203.0.113.05")).toBeNull();
    expect(normalizeAddress("example.com")).toBeNull();
    expect(addressBucket("203.0.113.5")).toBe("203.0.113.5");
    expect(addressBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
  });
});

describe("TRUSTED_PROXIES", () => {
  test("none, a hop count, or addresses, networks and the keywords loopback and private", () => {
    expect(parseTrustedProxies("none")).toEqual({ ranges: [] });
    expect(parseTrustedProxies("2")).toEqual({ hops: 2 });
    expect(parseTrustedProxies("loopback, private")).toEqual({ ranges: ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"] });
    expect(parseTrustedProxies("203.0.113.7 2001:DB8::/32")).toEqual({ ranges: ["203.0.113.7/32", "2001:db8::/32"] });
    for (const bad of ["", "everyone", "10.0.0.0/33", "none, loopback", "2, loopback", "21", "fe80::1%eth0"]) {
      expect(parseTrustedProxies(bad)).toHaveProperty("problem");
    }
  });
});
