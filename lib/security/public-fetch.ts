// A GET to a URL someone else chose (a dealer's logo in Navixy or BRAND_LOGO_URL), made so that it cannot reach
// inside our network: https only; every address the host name resolves to must be public (public-address.ts);
// the connection goes to exactly the addresses that were checked (our own lookup, handed to the socket, so a second
// DNS answer cannot rebind the name to 127.0.0.1); redirects are followed by hand, each hop checked the same way;
// the body is capped while it streams (the connection is dropped at the cap) and the whole exchange has one
// deadline. A failure is a short reason for people ("refused: not a public address"): never the address a name
// resolved to, an error's text or what the other side answered.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPublicAddress } from "./public-address";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Where a fetch may go. */
export interface OutboundPolicy {
  /** Plain http as well as https. */
  allowHttp: boolean;
  /** Whether a connection to this address may be made. */
  allowAddress: (address: string) => boolean;
  /** Every address of a host name (all of them are checked, then connected to, and only them). */
  resolve: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** Every address of a name, as the system resolver gives them (node:dns lookup, all: true). */
export function resolveAll(hostname: string): Promise<ResolvedAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });
}

/** Production: https to public addresses only. */
export const PUBLIC_ONLY: OutboundPolicy = { allowHttp: false, allowAddress: isPublicAddress, resolve: resolveAll };

/** Development and tests (BRAND_IMAGE_ALLOW_PRIVATE): http too, and any address, emulators on 127.0.0.1 included. */
export const ANY_ADDRESS: OutboundPolicy = { allowHttp: true, allowAddress: () => true, resolve: resolveAll };

export const REFUSED_NOT_URL = "refused: not an http(s) URL";
export const REFUSED_NOT_HTTPS = "refused: only https addresses are fetched";
export const REFUSED_NOT_PUBLIC = "refused: not a public address";
export const REFUSED_REDIRECTS = "refused: too many redirects";
export const TIMED_OUT = "timed out";
export const UNREACHABLE = "unreachable";

/** Why a fetch gave nothing; `reason` may be shown to the dealer, `code` (a Node error code) only logged. */
export class OutboundFetchError extends Error {
  constructor(
    readonly reason: string,
    readonly code?: string,
  ) {
    super(reason);
    this.name = "OutboundFetchError";
  }
}

export interface PublicFetchOptions {
  policy: OutboundPolicy;
  /** The body's cap: a larger one is refused, and the connection dropped as soon as it is passed. */
  maxBytes: number;
  /** One deadline for the whole exchange: every lookup, connection, redirect and the body. */
  deadlineMs: number;
  accept: string;
  /** Redirects followed (each to a checked address); one more is refused. */
  maxRedirects?: number;
}

export interface PublicFetchResult {
  /** The media type the other side declared, lower case, without parameters ("" when none). */
  contentType: string;
  body: Uint8Array;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = "navixy-stripe-gateway";

export const tooLarge = (maxBytes: number) => `too large (over ${Math.floor(maxBytes / 1024)} KB)`;

/** The body at `url`, or an OutboundFetchError with a short reason. */
export async function fetchPublic(url: string, options: PublicFetchOptions): Promise<PublicFetchResult> {
  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    deadline.abort();
  }, options.deadlineMs);
  try {
    let target = parseTarget(url);
    for (let redirects = 0; ; redirects++) {
      const answer = await exchange(target, options, deadline.signal);
      if ("body" in answer) return answer;
      if (redirects >= (options.maxRedirects ?? 3)) throw new OutboundFetchError(REFUSED_REDIRECTS);
      target = parseTarget(answer.location, target);
    }
  } catch (error) {
    if (timedOut) throw new OutboundFetchError(TIMED_OUT);
    if (error instanceof OutboundFetchError) throw error;
    throw new OutboundFetchError(UNREACHABLE, errorCode(error));
  } finally {
    clearTimeout(timer);
    // Whatever is still open (a body past the cap, a redirect's rest) is dropped.
    deadline.abort();
  }
}

function parseTarget(location: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    throw new OutboundFetchError(REFUSED_NOT_URL);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundFetchError(REFUSED_NOT_URL);
  return url;
}

/** One request: the hop's checks, then its answer (a body, or where it redirects to). */
async function exchange(url: URL, options: PublicFetchOptions, signal: AbortSignal): Promise<PublicFetchResult | { location: string }> {
  const { policy, maxBytes } = options;
  if (url.protocol !== "https:" && !policy.allowHttp) throw new OutboundFetchError(REFUSED_NOT_HTTPS);
  // The URL parser has already turned 2130706433, 0x7f.1 and [::ffff:127.0.0.1] into their canonical forms.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = isIP(hostname);
  const addresses: ResolvedAddress[] = literal ? [{ address: hostname, family: literal === 6 ? 6 : 4 }] : await untilAborted(policy.resolve(hostname), signal);
  if (addresses.length === 0) throw new OutboundFetchError(UNREACHABLE, "ENOTFOUND");
  if (!addresses.every((a) => policy.allowAddress(a.address))) throw new OutboundFetchError(REFUSED_NOT_PUBLIC);

  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(
      {
        protocol: url.protocol,
        // The name stays the name: Host and TLS (SNI, the certificate's check) use it; the socket uses `lookup`.
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: { accept: options.accept, "accept-encoding": "identity", "user-agent": USER_AGENT },
        agent: false,
        lookup: pinnedLookup(addresses),
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status) && typeof res.headers.location === "string") {
          res.destroy();
          resolve({ location: res.headers.location });
          return;
        }
        if (status < 200 || status > 299) {
          res.destroy();
          reject(new OutboundFetchError(`answered HTTP ${status}`));
          return;
        }
        if (Number(res.headers["content-length"] ?? 0) > maxBytes) {
          res.destroy();
          reject(new OutboundFetchError(tooLarge(maxBytes)));
          return;
        }
        const contentType = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new OutboundFetchError(tooLarge(maxBytes)));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ contentType, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(new OutboundFetchError(UNREACHABLE, "ECONNRESET"));
        });
      },
    );
    // The socket must have reached an address that was checked (a second guard: `lookup` already pins it).
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        if (!policy.allowAddress(socket.remoteAddress ?? "")) req.destroy(new OutboundFetchError(REFUSED_NOT_PUBLIC));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** A lookup that answers with the addresses already checked, and never asks DNS again. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (usable.length === 0) {
      callback(Object.assign(new Error("no address of the family asked for"), { code: "ENOTFOUND" }), "", 0);
      return;
    }
    if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}
