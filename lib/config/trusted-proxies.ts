// TRUSTED_PROXIES: which of the hops in front of the app may say who the client is (lib/security/client-address.ts).
//
//   none                    nobody: the client is the connection's own peer address (clients connect directly)
//   2                       the 2 nearest hops are proxies, whatever their addresses (e.g. a CDN, then nginx)
//   loopback, private, 203.0.113.7, 10.20.0.0/16, 2001:db8::/32
//                           a connection from one of these is a proxy: the entry it appended to
//                           X-Forwarded-For is believed, and so on leftwards while that entry is one of them too
//
// `loopback` is 127.0.0.0/8 and ::1; `private` is 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7.
import net from "node:net";

export type TrustedProxies =
  /** The `hops` nearest hops are proxies (0 = none): the client is the hops-th X-Forwarded-For entry from the right. */
  | { hops: number }
  /** Connections from these networks (CIDR, canonical) are proxies. An empty list trusts nobody. */
  | { ranges: string[] };

export const DEFAULT_TRUSTED_PROXIES = "loopback, private";

const KEYWORDS: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** "10.1.2.3" → "10.1.2.3/32", "2001:DB8::/32" → "2001:db8::/32"; null when it is neither an address nor a network. */
function cidr(token: string): string | null {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(token);
  if (!m) return null;
  const address = m[1]!.toLowerCase();
  const family = net.isIP(address);
  if (family === 0 || address.includes("%")) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return null;
  return `${address}/${prefix}`;
}

/** The setting's value, or the problem with it (a message for ConfigError). */
export function parseTrustedProxies(text: string): TrustedProxies | { problem: string } {
  const tokens = text
    .split(/[\s,]+/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const usage = "must be none, a number of proxy hops, or addresses and networks of your proxies (loopback, private, 10.0.0.0/8, ...)";
  if (tokens.length === 0) return { problem: usage };
  if (tokens.length === 1 && tokens[0] === "none") return { ranges: [] };
  if (tokens.length === 1 && /^\d+$/.test(tokens[0]!)) {
    const hops = Number(tokens[0]);
    return hops <= 20 ? { hops } : { problem: "must be at most 20 proxy hops" };
  }
  const ranges: string[] = [];
  for (const token of tokens) {
    const expanded = KEYWORDS[token] ?? [cidr(token)];
    if (expanded.some((r) => r === null)) {
      return { problem: token === "none" || /^\d+$/.test(token) ? `${usage}: "${token}" cannot be combined with others` : `${usage}: "${token}" is none of them` };
    }
    for (const r of expanded as string[]) if (!ranges.includes(r)) ranges.push(r);
  }
  return { ranges };
}
