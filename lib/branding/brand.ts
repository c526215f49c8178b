// The dealer's look on the payer's pages: name, logo, favicon and accent colour. By default from Navixy
// (panel/dealer/get_info and the service settings' `color_theme`); BRAND_NAME, BRAND_LOGO_URL and BRAND_COLOR
// override. Nothing here is needed to pay: without any of it the page has the gateway's own look.
import type { NavixyDealerInfo, NavixyServiceSettings } from "../navixy";
import { parseHexColor, toHex } from "./color";
import { navixyThemeColor } from "./navixy-theme";
import { accentCss, darkPalette, lightPalette, type AccentPalette } from "./palette";

/** The overrides from the environment. */
export interface BrandSettings {
  name?: string;
  logoUrl?: string;
  color?: string;
}

/** What Navixy says of the dealer's look (either read may have failed). */
export interface NavixyLook {
  info?: Pick<NavixyDealerInfo, "title" | "domain" | "logo" | "favicon">;
  service?: NavixyServiceSettings;
}

export interface BrandColor {
  /** The colour asked for, as #rrggbb. */
  chosen: string;
  /** Where it came from, for the setup page. */
  source: "BRAND_COLOR" | "navixy";
  light: AccentPalette;
  dark: AccentPalette;
}

export interface Brand {
  name: string | null;
  /** Absolute http(s) URLs of the dealer's images; the page shows them through /brand/logo and /brand/favicon. */
  logoUrl: string | null;
  faviconUrl: string | null;
  color: BrandColor | null;
  /** Navixy's colour theme when it names no colour we know ("" when there is none). */
  unknownTheme: string;
  /** The dealer's tracking app (its user interface's domain in Navixy), where the payer goes back after paying. */
  homeUrl: string | null;
}

export const NO_BRAND: Brand = { name: null, logoUrl: null, faviconUrl: null, color: null, unknownTheme: "", homeUrl: null };

/** A Navixy domain ("gps.acme.test", "https://gps.acme.test/", "gps.acme.test:8443") → its https home page, or null. */
export function navixyHomeUrl(domain: string): string | null {
  const host = domain.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "").toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/.test(host)) return null;
  return `https://${host}/`;
}

/**
 * An image as Navixy gives it: an absolute URL, or a path ("paas/5001/logo.png") on the dealer's own domain, where
 * the dealer's user interface serves it. Anything that is not http(s) is dropped.
 */
export function navixyImageUrl(value: string, domain: string): string | null {
  const v = value.trim();
  if (!v) return null;
  try {
    if (/^https?:\/\//i.test(v)) return new URL(v).href;
    if (v.startsWith("//")) return new URL(`https:${v}`).href;
    const host = domain.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "");
    if (!host || /[\s/?#@]/.test(host) || /^[a-z][a-z0-9+.-]*:/i.test(v)) return null;
    return new URL(v.replace(/^\/+/, ""), `https://${host}/`).href;
  } catch {
    return null;
  }
}

export function resolveBrand(settings: BrandSettings, look: NavixyLook | undefined): Brand {
  const { info, service } = look ?? {};
  const domain = service?.domain || info?.domain || "";
  const image = (kind: "logo" | "favicon") =>
    navixyImageUrl(service?.[kind] ?? "", domain) ?? navixyImageUrl(info?.[kind] ?? "", domain);

  const name = settings.name?.trim() || service?.serviceTitle || info?.title?.trim() || null;
  const logoUrl = settings.logoUrl ?? image("logo");
  const faviconUrl = image("favicon");

  let color: BrandColor | null = null;
  let unknownTheme = "";
  const fromSetting = settings.color ? parseHexColor(settings.color) : null;
  const theme = service?.colorTheme ?? "";
  const fromNavixy = !fromSetting && theme ? navixyThemeColor(theme) : null;
  if (!fromSetting && theme && !fromNavixy) unknownTheme = theme;
  const rgb = fromSetting ?? (fromNavixy ? parseHexColor(fromNavixy) : null);
  if (rgb) color = { chosen: toHex(rgb), source: fromSetting ? "BRAND_COLOR" : "navixy", light: lightPalette(rgb), dark: darkPalette(rgb) };
  return { name, logoUrl, faviconUrl, color, unknownTheme, homeUrl: navixyHomeUrl(domain) };
}

/** The page's style for the brand colour ("" for the gateway's own). */
export function brandCss(brand: Brand): string {
  return brand.color ? accentCss(brand.color.light, brand.color.dark) : "";
}
