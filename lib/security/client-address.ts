// Who the client is, for the per-address rate limits, the console's audit log and Radar's metadata.
//
// A route handler sees headers only. Next.js (`next start`, base-server.js) sets X-Forwarded-For to the socket's
// remote address only when the request has none (`??=`): a client that sends its own X-Forwarded-For hides its
// address, and nothing Next.js passes on tells the two apart. So the server stamps every request with the
// connection's own peer address in PEER_ADDRESS_HEADER, overwriting whatever a client sent under that name
// (lib/server/peer-address.ts, installed by instrumentation.ts; the integration harness does the same). From it:
//
//   the peer, then leftwards through X-Forwarded-For while the address we are at is a trusted proxy
//   (TRUSTED_PROXIES: `none`, a hop count, or the proxies' addresses and networks; lib/config/trusted-proxies.ts)
//
// With no proxy that is the peer itself, which the client cannot choose. Behind proxies it is the entry the
// farthest trusted proxy appended; entries further left are the client's own words and never read. A connection
// that bypasses the proxies is counted by its own address. No rule ever puts every client into one bucket: a
// request without the stamp (only one that arrived while the server was still starting, before instrumentation
// ran) has no address, and the rate-limited routes refuse it with 503 rather than guess.
import net from "node:net";
import type { TrustedProxies } from "../config";
import { HttpError } from "../http/responses";
import { logger } from "../logging/logger";

/** The request header the server sets to the connection's own peer address (lib/server/peer-address.ts). */
export const PEER_ADDRESS_HEADER = "x-gateway-peer-address";

type HeaderReader = { get(name: string): string | null };

/**
 * An address as written by a socket or a proxy → its canonical text: "::FFFF:203.0.113.5" → "203.0.113.5",
 * "[2001:DB8::1]:443" → "2001:db8::1", "198.51.100.7:5120" → "198.51.100.7". Anything else → null.
 */
export function normalizeAddress(raw: string): string | null {
  let s = raw.trim();
  if (s.length === 0 || s.length > 100) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  s = s.replace(/%[\w.-]*$/, ""); // an IPv6 zone (fe80::1%eth0) says nothing about the client
  const family = net.isIP(s);
  if (family === 4) return s;
  if (family !== 6) return null;
  const canonical = new URL(`http://[${s}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

const matchers = new WeakMap<object, net.BlockList>();

function isTrustedProxy(trust: { ranges: string[] }, address: string): boolean {
  let list = matchers.get(trust);
  if (!list) {
    list = new net.BlockList();
    for (const range of trust.ranges) {
      const [network, prefix] = range.split("/");
      list.addSubnet(network!, Number(prefix), net.isIP(network!) === 6 ? "ipv6" : "ipv4");
    }
    matchers.set(trust, list);
  }
  return list.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");
}

const warned = new Map<string, number>();
/** A misconfiguration is worth a line, not one per request. */
function warnNow(key: string, every = 10 * 60_000): boolean {
  const now = Date.now();
  if ((warned.get(key) ?? 0) > now) return false;
  warned.set(key, now + every);
  return true;
}

/** The client's address by the rule above, or null when the request carries no peer stamp. */
export function clientAddress(headers: HeaderReader, trust: TrustedProxies): string | null {
  const peer = normalizeAddress(headers.get(PEER_ADDRESS_HEADER) ?? "");
  if (!peer) return null;
  const forwarded = (headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  const claimed = forwarded.length;
  let address = peer;
  let hops = 0;
  const next = (): boolean => {
    const entry = forwarded.pop();
    // Garbage where a trusted proxy should have written an address: stay with the proxy's own.
    const parsed = entry === undefined ? null : normalizeAddress(entry);
    if (!parsed) return false;
    address = parsed;
    hops++;
    return true;
  };
  if ("hops" in trust) {
    while (hops < trust.hops && next());
    if (hops < trust.hops && claimed < trust.hops && warnNow("hops")) {
      logger.warn({ peer, trustedHops: trust.hops, forwardedEntries: claimed }, "a request came through fewer proxies than TRUSTED_PROXIES says: can clients reach the app around them?");
    }
  } else {
    while (isTrustedProxy(trust, address) && next());
    if (hops === 0 && claimed > 0 && warnNow(`untrusted:${peer}`)) {
      logger.warn(
        { peer },
        "requests with X-Forwarded-For come from an address TRUSTED_PROXIES does not trust: they are counted by that address. If it is your reverse proxy, add it to TRUSTED_PROXIES",
      );
    }
  }
  return address;
}

/** The client's address, or 503: a rate-limited route never counts a request it cannot place (see above). */
export function requireClientAddress(headers: HeaderReader, trust: TrustedProxies): string {
  const address = clientAddress(headers, trust);
  if (address) return address;
  if (warnNow("unstamped", 60_000)) {
    logger.error(
      "a request reached a rate-limited route without the server's peer address stamp: it is stamped once instrumentation.ts has run (a request arriving while the server starts), under `next start` or `next dev` only",
    );
  }
  throw new HttpError(503, "client_address_unknown", "The server is starting. Please try again in a moment.", { "retry-after": "1" });
}

/**
 * The rate-limit bucket of an address: an IPv4 address itself, an IPv6 address's /64 (one subscriber's network: a
 * client rotating through its own /64 must not get a fresh count each time).
 */
export function addressBucket(address: string): string {
  if (net.isIP(address) !== 6) return address;
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups.slice(0, 4).join(":")}::/64`;
}
