// The setup page's account of the payer's page look: what was taken from Navixy or the environment, and where the
// dealer's colour had to be changed to stay readable (WCAG 2.2 AA, 4.5:1).
import { contrast, parseHexColor } from "../branding/color";
import type { Brand } from "../branding/brand";
import { pageBrand } from "../branding/dealer-brand";
import type { Services } from "../server/services";

export interface BrandReport {
  brand: Brand;
  logoShown: boolean;
  faviconShown: boolean;
  /** Sentences for the dealer, each about one thing that is not as they may expect. */
  notes: string[];
}

const LIGHT_BG = parseHexColor("#f3f5f8")!;
const DARK_BG = parseHexColor("#17202b")!;

export async function brandReport(services: Pick<Services, "config" | "navixy">): Promise<BrandReport> {
  const { brand, logo, favicon, problems } = await pageBrand(services);
  const notes: string[] = [];
  const color = brand.color;
  if (color) {
    const chosen = parseHexColor(color.chosen)!;
    const from = color.source === "BRAND_COLOR" ? "BRAND_COLOR" : "Navixy's colour theme";
    for (const [look, palette, bg] of [["light", color.light, LIGHT_BG], ["dark", color.dark, DARK_BG]] as const) {
      if (!palette.adjusted) continue;
      const ratio = Math.floor(contrast(chosen, bg) * 100) / 100;
      notes.push(
        `The colour from ${from}, ${color.chosen}, has a contrast of ${ratio}:1 on the ${look} page, below the 4.5:1 ` +
          `that keeps text readable: the ${look} page uses ${palette.accent} (${palette.contrast}:1) instead.`,
      );
    }
  } else if (brand.unknownTheme) {
    notes.push(
      `Navixy's colour theme "${brand.unknownTheme}" names no colour the gateway knows: the page keeps its own blue. ` +
        `Set BRAND_COLOR (e.g. #1d5fd1) to choose one.`,
    );
  }
  // Why, in a few words (lib/security/public-fetch.ts): never an address a name resolved to, or what the server said.
  const why = (problem: string | null | undefined) => ` (${problem ?? "unreachable"})`;
  if (brand.logoUrl && !logo) notes.push(`The logo at ${brand.logoUrl} could not be loaded${why(problems?.logo)}: the page shows the name instead.`);
  if (brand.faviconUrl && !favicon) notes.push(`The favicon at ${brand.faviconUrl} could not be loaded${why(problems?.favicon)}: the page uses the gateway's own.`);
  return { brand, logoShown: logo, faviconShown: favicon, notes };
}
