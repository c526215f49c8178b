// The dealer's brand for a page: the overrides from the environment over what Navixy says, read through a cache that
// never holds a page up (lib/navixy/soft-cache.ts). One cache per Navixy client.
import type { Config } from "../config";
import type { NavixyPanelClient } from "../navixy";
import { SoftCache } from "../navixy/soft-cache";
import { ANY_ADDRESS, PUBLIC_ONLY } from "../security/public-fetch";
import { NO_BRAND, resolveBrand, type Brand, type NavixyLook } from "./brand";
import { BrandImageFetcher, brandImageResponse } from "./brand-image";

type LookReader = Pick<NavixyPanelClient, "readDealerInfo" | "readServiceSettings">;

const looks = new WeakMap<object, SoftCache<NavixyLook>>();

/** Both reads; either may fail (a dealer's API user may lack one permission), not both. */
export async function readNavixyLook(navixy: LookReader): Promise<NavixyLook> {
  const [info, service] = await Promise.allSettled([navixy.readDealerInfo(), navixy.readServiceSettings()]);
  if (info.status === "rejected" && service.status === "rejected") throw info.reason;
  return {
    ...(info.status === "fulfilled" ? { info: info.value } : {}),
    ...(service.status === "fulfilled" ? { service: service.value } : {}),
  };
}

export function navixyLookOf(navixy: LookReader): SoftCache<NavixyLook> {
  let cache = looks.get(navixy);
  if (!cache) {
    cache = new SoftCache(() => readNavixyLook(navixy), 1_500);
    looks.set(navixy, cache);
  }
  return cache;
}

export async function dealerBrand(services: BrandServices): Promise<Brand> {
  return resolveBrand(services.config.brand, await navixyLookOf(services.navixy).get());
}

// One fetcher per policy: BRAND_IMAGE_ALLOW_PRIVATE is the deployment's (no dealer sets it), so each process uses one.
const images = { publicOnly: new BrandImageFetcher({ policy: PUBLIC_ONLY }), anyAddress: new BrandImageFetcher({ policy: ANY_ADDRESS }) };
const IMAGE_WAIT_MS = 1_500;

type BrandServices = { config: Pick<Config, "brand">; navixy: LookReader };

function imagesFor(config: Pick<Config, "brand">): BrandImageFetcher {
  return config.brand.allowPrivateImages ? images.anyAddress : images.publicOnly;
}

export type BrandImageKind = "logo" | "favicon";

/** What a payer's page shows: the brand, and which of the dealer's images can be shown now. */
export interface PageBrand {
  brand: Brand;
  logo: boolean;
  favicon: boolean;
  /** Why an image of the brand is not shown (for the setup page), e.g. "refused: not a public address". */
  problems?: { logo: string | null; favicon: string | null };
}

const STILL_LOADING = "still loading (slow to answer)";

async function available(fetcher: BrandImageFetcher, url: string | null): Promise<{ shown: boolean; problem: string | null }> {
  if (!url) return { shown: false, problem: null };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), IMAGE_WAIT_MS);
  });
  try {
    // A slow image is left out of this page; the download goes on for the next one.
    const result = await Promise.race([fetcher.result(url), late]);
    if (!result) return { shown: false, problem: STILL_LOADING };
    return result.image ? { shown: true, problem: null } : { shown: false, problem: result.problem };
  } finally {
    clearTimeout(timer);
  }
}

/** The brand of a payer's page. Never throws: any trouble means the gateway's own look. */
export async function pageBrand(services: BrandServices): Promise<PageBrand> {
  try {
    const brand = await dealerBrand(services);
    const fetcher = imagesFor(services.config);
    const [logo, favicon] = await Promise.all([available(fetcher, brand.logoUrl), available(fetcher, brand.faviconUrl)]);
    return { brand, logo: logo.shown, favicon: favicon.shown, problems: { logo: logo.problem, favicon: favicon.problem } };
  } catch {
    return { brand: NO_BRAND, logo: false, favicon: false };
  }
}

/** GET /brand/logo and /brand/favicon. */
export async function serveBrandImage(services: BrandServices, kind: BrandImageKind): Promise<Response> {
  const brand = await dealerBrand(services);
  const url = kind === "logo" ? brand.logoUrl : brand.faviconUrl;
  return brandImageResponse(url ? await imagesFor(services.config).get(url) : null);
}
