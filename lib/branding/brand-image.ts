// The dealer's logo and favicon, served from our own origin (/brand/logo, /brand/favicon): the page's
// Content-Security-Policy stays `img-src 'self'`, the payer's browser never calls a third party, and a slow or
// missing image costs the page nothing. Fetched server-side, checked (an image type, at most 512 KB), kept ten
// minutes; a failure is remembered for a minute.
import { logger } from "../logging/logger";

export interface BrandImage {
  body: Uint8Array;
  contentType: string;
}

export const MAX_BRAND_IMAGE_BYTES = 512 * 1024;
const TTL_MS = 10 * 60_000;
const FAILURE_TTL_MS = 60_000;
const TIMEOUT_MS = 5_000;

const IMAGE_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/svg+xml",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);

export interface BrandImageFetcherOptions {
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

export class BrandImageFetcher {
  private readonly cache = new Map<string, { image: BrandImage | null; at: number }>();
  private readonly inflight = new Map<string, Promise<BrandImage | null>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(options: BrandImageFetcherOptions = {}) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  }

  /** The image at `url`, or null when it cannot be had (never throws). */
  async get(url: string): Promise<BrandImage | null> {
    const hit = this.cache.get(url);
    if (hit && this.now() - hit.at < (hit.image ? TTL_MS : FAILURE_TTL_MS)) return hit.image;
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.download(url)
        .catch((error: unknown) => {
          logger.warn({ url, reason: error instanceof Error ? error.message : String(error) }, "dealer image not available");
          return null;
        })
        .then((image) => {
          // A stale image beats none when the dealer's server is down for a moment.
          const kept = image ?? hit?.image ?? null;
          this.cache.set(url, { image: kept, at: this.now() });
          return kept;
        })
        .finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    return pending;
  }

  private async download(url: string): Promise<BrandImage> {
    const res = await this.fetch(url, { redirect: "follow", signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: "image/*" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!IMAGE_TYPES.has(contentType)) throw new Error(`not an image (${contentType || "no content type"})`);
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > MAX_BRAND_IMAGE_BYTES) throw new Error(`larger than ${MAX_BRAND_IMAGE_BYTES} bytes`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength > MAX_BRAND_IMAGE_BYTES) throw new Error(`larger than ${MAX_BRAND_IMAGE_BYTES} bytes`);
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
