// The dealer's brand for a page: the overrides from the environment over what Navixy says, read through a cache that
// never holds a page up (lib/navixy/soft-cache.ts). One cache per Navixy client.
import type { Config } from "../config";
import type { NavixyPanelClient } from "../navixy";
import { SoftCache } from "../navixy/soft-cache";
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

export async function dealerBrand(services: { config: Pick<Config, "brand">; navixy: LookReader }): Promise<Brand> {
  return resolveBrand(services.config.brand, await navixyLookOf(services.navixy).get());
}

const images = new BrandImageFetcher();
const IMAGE_WAIT_MS = 1_500;

export type BrandImageKind = "logo" | "favicon";

/** What a payer's page shows: the brand, and which of the dealer's images can be shown now. */
export interface PageBrand {
  brand: Brand;
  logo: boolean;
  favicon: boolean;
}

async function available(url: string | null): Promise<boolean> {
  if (!url) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), IMAGE_WAIT_MS);
  });
  try {
    // A slow image is left out of this page; the download goes on for the next one.
    return (await Promise.race([images.get(url), late])) !== null;
  } finally {
    clearTimeout(timer);
  }
}

/** The brand of a payer's page. Never throws: any trouble means the gateway's own look. */
export async function pageBrand(services: { config: Pick<Config, "brand">; navixy: LookReader }): Promise<PageBrand> {
  try {
    const brand = await dealerBrand(services);
    const [logo, favicon] = await Promise.all([available(brand.logoUrl), available(brand.faviconUrl)]);
    return { brand, logo, favicon };
  } catch {
    return { brand: NO_BRAND, logo: false, favicon: false };
  }
}

/** GET /brand/logo and /brand/favicon. */
export async function serveBrandImage(services: { config: Pick<Config, "brand">; navixy: LookReader }, kind: BrandImageKind): Promise<Response> {
  const brand = await dealerBrand(services);
  const url = kind === "logo" ? brand.logoUrl : brand.faviconUrl;
  return brandImageResponse(url ? await images.get(url) : null);
}
