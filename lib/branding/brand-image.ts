// The dealer's logo and favicon, served from our own origin (/brand/logo, /brand/favicon): the page's
// Content-Security-Policy stays `img-src 'self'`, the payer's browser never calls a third party, and a slow or
// missing image costs the page nothing. The URLs are the dealer's to choose (Navixy's settings, BRAND_LOGO_URL), so
// they are fetched as lib/security/public-fetch.ts does (https, public addresses only, at most 512 KB, 5 seconds)
// and kept only when the bytes are an image of a type we can serve; kept ten minutes, a failure for a minute.
//
// SVG is served, consciously: Navixy dealers' logos often are SVG. An SVG in an <img> never runs script, and opened
// on its own it is answered with `Content-Security-Policy: sandbox` (no script, an opaque origin) and `nosniff`, so
// it cannot act as our origin (brandImageResponse below).
import { LruCache } from "../lru";
import { logger } from "../logging/logger";
import { OutboundFetchError, PUBLIC_ONLY, UNREACHABLE, fetchPublic, type OutboundPolicy, type PublicFetchResult } from "../security/public-fetch";

export interface BrandImage {
  body: Uint8Array;
  contentType: string;
}

/** An image, or why there is none (a short reason the setup page shows). */
export interface BrandImageResult {
  image: BrandImage | null;
  problem: string | null;
}

export const MAX_BRAND_IMAGE_BYTES = 512 * 1024;
const TTL_MS = 10 * 60_000;
const FAILURE_TTL_MS = 60_000;
const TIMEOUT_MS = 5_000;
export const NOT_AN_IMAGE = "not an image";

/** The types a dealer's server may declare; what is served is the type the bytes show (imageType). */
const DECLARED_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/svg+xml",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
const startsWith = (bytes: Uint8Array, signature: readonly number[]) => signature.every((b, i) => bytes[i] === b);

/**
 * The type the bytes are, when it is one we serve: the raster formats by their signature; SVG only when it was
 * declared as SVG and is XML text with an <svg> element. Anything else (an HTML page labelled image/png) is null.
 */
export function imageType(body: Uint8Array, declared: string): string | null {
  if (startsWith(body, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(body, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(body, 0, 6) === "GIF87a" || ascii(body, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(body, 0, 4) === "RIFF" && ascii(body, 8, 12) === "WEBP") return "image/webp";
  if (ascii(body, 4, 8) === "ftyp" && /avi[fs]/.test(ascii(body, 8, Math.min(body.length, 64)))) return "image/avif";
  if (startsWith(body, [0x00, 0x00, 0x01, 0x00]) && body.length > 6) return "image/x-icon";
  if (declared === "image/svg+xml") {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(body).replace(/^\uFEFF/, "").trimStart();
    if (text.startsWith("<") && !text.includes("\u0000") && /<svg[\s>]/i.test(text)) return "image/svg+xml";
  }
  return null;
}

export interface BrandImageFetcherOptions {
  /** Where images may be fetched from: public https only unless BRAND_IMAGE_ALLOW_PRIVATE. */
  policy?: OutboundPolicy;
  now?: () => number;
  timeoutMs?: number;
  /** Tests of the cache: what a download gives (default: fetchPublic with the policy). */
  load?: (url: string) => Promise<PublicFetchResult>;
  /** Images kept (least recently used out): each dealer has a logo and a favicon of up to 512 KB. */
  capacity?: number;
}

/** Images kept per process: the dealers paid through at the moment, not every dealer of the deployment. */
export const BRAND_IMAGE_CACHE_SIZE = 200;

export class BrandImageFetcher {
  private readonly cache: LruCache<string, { result: BrandImageResult; at: number }>;
  private readonly inflight = new Map<string, Promise<BrandImageResult>>();
  private readonly now: () => number;
  private readonly load: (url: string) => Promise<PublicFetchResult>;

  constructor(options: BrandImageFetcherOptions = {}) {
    this.cache = new LruCache(options.capacity ?? BRAND_IMAGE_CACHE_SIZE);
    this.now = options.now ?? Date.now;
    const policy = options.policy ?? PUBLIC_ONLY;
    const deadlineMs = options.timeoutMs ?? TIMEOUT_MS;
    this.load = options.load ?? ((url) => fetchPublic(url, { policy, maxBytes: MAX_BRAND_IMAGE_BYTES, deadlineMs, accept: "image/*" }));
  }

  /** The image at `url`, or null when it cannot be had (never throws). */
  async get(url: string): Promise<BrandImage | null> {
    return (await this.result(url)).image;
  }

  /** The image at `url`, or why there is none (never throws). */
  async result(url: string): Promise<BrandImageResult> {
    const hit = this.cache.get(url);
    if (hit && this.now() - hit.at < (hit.result.image ? TTL_MS : FAILURE_TTL_MS)) return hit.result;
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.download(url)
        .then((image): BrandImageResult => ({ image, problem: null }))
        .catch((error: unknown): BrandImageResult => {
          const reason = error instanceof OutboundFetchError ? error.reason : UNREACHABLE;
          // The reason and at most a Node error code: never an address a name resolved to, or the other side's words.
          logger.warn({ url, reason, ...(error instanceof OutboundFetchError && error.code ? { code: error.code } : {}) }, "dealer image not available");
          // A stale image beats none when the dealer's server is down for a moment.
          return { image: hit?.result.image ?? null, problem: reason };
        })
        .then((result) => {
          this.cache.set(url, { result, at: this.now() });
          return result;
        })
        .finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    return pending;
  }

  private async download(url: string): Promise<BrandImage> {
    const { contentType: declared, body } = await this.load(url);
    const contentType = DECLARED_TYPES.has(declared) ? imageType(body, declared) : null;
    if (!contentType) throw new OutboundFetchError(NOT_AN_IMAGE);
    return { body, contentType };
  }
}

/** The HTTP answer for /brand/logo and /brand/favicon. */
export function brandImageResponse(image: BrandImage | null): Response {
  if (!image) return new Response("No image", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=60" } });
  return new Response(image.body as BodyInit, {
    status: 200,
    headers: {
      "content-type": image.contentType,
      "cache-control": "public, max-age=600",
      // An SVG opened on its own must not run anything on our origin.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "x-content-type-options": "nosniff",
    },
  });
}
