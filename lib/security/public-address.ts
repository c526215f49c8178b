// Which IP addresses are on the public internet. A URL someone else chose (a dealer's logo) is fetched only from
// these: never from this host, the private network it sits in, the cloud's metadata service (169.254.169.254), or
// any range IANA reserves for special use. IPv6 is an allow-list (global unicast 2000::/3 minus its special
// blocks), and an IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4) is judged by that IPv4 address.
import { isIP } from "node:net";

type Range = readonly [prefix: readonly number[], bits: number];

/** IANA IPv4 special-purpose registry, plus multicast and the reserved 240/4. */
const IPV4_NOT_PUBLIC: readonly Range[] = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // shared address space (carrier-grade NAT)
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation (TEST-NET-1)
  [[192, 31, 196, 0], 24], // AS112
  [[192, 52, 193, 0], 24], // AMT
  [[192, 88, 99, 0], 24], // 6to4 relay anycast
  [[192, 168, 0, 0], 16], // private
  [[192, 175, 48, 0], 24], // AS112 direct delegation
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation (TEST-NET-2)
  [[203, 0, 113, 0], 24], // documentation (TEST-NET-3)
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, and the broadcast address
];

/** Blocks inside 2000::/3 that are not reachable hosts on the internet (as 16-bit groups). */
const IPV6_GLOBAL_NOT_PUBLIC: readonly Range[] = [
  [[0x2001, 0x0000], 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking, ...)
  [[0x2001, 0x0db8], 32], // documentation
  [[0x3fff, 0x0000], 20], // documentation
];

function inRange(bits: number, groups: readonly number[], [prefix, length]: Range): boolean {
  for (let i = 0, left = length; left > 0; i++, left -= bits) {
    const take = Math.min(bits, left);
    const mask = ((1 << take) - 1) << (bits - take);
    if (((groups[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIpv4(text: string): number[] | null {
  if (isIP(text) !== 4) return null;
  return text.split(".").map(Number);
}

/** The eight 16-bit groups of an IPv6 address, or null (a zone id, "fe80::1%eth0", is not accepted). */
function parseIpv6(text: string): number[] | null {
  if (isIP(text) !== 6 || text.includes("%")) return null;
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIpv4(dotted[2]!);
    if (!v4) return null;
    head = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const before = groups(left);
  const after = [...groups(right), ...tail];
  const zeros = 8 - before.length - after.length;
  if (right === undefined ? zeros !== 0 : zeros < 0) return null;
  return [...before, ...new Array<number>(Math.max(zeros, 0)).fill(0), ...after];
}

function isPublicIpv4(octets: readonly number[]): boolean {
  return !IPV4_NOT_PUBLIC.some((range) => inRange(8, octets, range));
}

const ipv4Inside = (g: readonly number[], at: number) => [g[at]! >> 8, g[at]! & 0xff, g[at + 1]! >> 8, g[at + 1]! & 0xff];

function isPublicIpv6(g: readonly number[]): boolean {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64 well-known prefix): the IPv4 address is where it goes.
  if (zeroUpTo(5) && g[5] === 0xffff) return isPublicIpv4(ipv4Inside(g, 6));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return isPublicIpv4(ipv4Inside(g, 6));
  // 6to4: 2002:aabb:ccdd::/48 routes to a.b.c.d.
  if (g[0] === 0x2002) return isPublicIpv4(ipv4Inside(g, 1));
  // Everything else outside global unicast: ::, ::1, IPv4-compatible, 64:ff9b:1::/48, 100::/64, fc00::/7,
  // fe80::/10, fec0::/10, ff00::/8, and the unassigned space.
  if ((g[0]! & 0xe000) !== 0x2000) return false;
  return !IPV6_GLOBAL_NOT_PUBLIC.some((range) => inRange(16, g, range));
}

/** True for an IP address (v4 or v6, as text) on the public internet; false for anything else, names included. */
export function isPublicAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4) return isPublicIpv4(v4);
  const v6 = parseIpv6(address);
  return v6 !== null && isPublicIpv6(v6);
}
