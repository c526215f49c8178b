// The accent colours of the payer's pages, derived from the dealer's one colour for the light and the dark look.
// Each is the colour nearest to the dealer's that keeps 4.5:1 with everything it meets: the page and card behind
// links, the button's text, the soft background of a chosen amount. The rest of the palette is app/globals.css.
import { BLACK, WHITE, contrast, mix, nearestReadable, parseHexColor, toHex, type Rgb } from "./color";

export interface AccentPalette {
  accent: string;
  accentHover: string;
  accentText: string;
  accentSoft: string;
  focus: string;
  /** The accent's contrast with the page background (the lowest it meets), e.g. 4.62. */
  contrast: number;
  /** True when the dealer's colour itself fell short and a darker or lighter one is used. */
  adjusted: boolean;
}

// Keep in step with app/globals.css.
const LIGHT = { bg: parseHexColor("#f3f5f8")!, card: WHITE, text: WHITE };
const DARK = { bg: parseHexColor("#0e141b")!, card: parseHexColor("#17202b")!, text: parseHexColor("#0b1220")! };

const round2 = (n: number) => Math.floor(n * 100) / 100;

export function lightPalette(color: Rgb): AccentPalette {
  const soft = (c: Rgb) => mix(c, WHITE, 0.9);
  const accent = nearestReadable(color, BLACK, [(c) => contrast(c, LIGHT.bg), (c) => contrast(c, LIGHT.text), (c) => contrast(c, soft(c))]);
  return {
    accent: toHex(accent),
    accentHover: toHex(mix(accent, BLACK, 0.18)),
    accentText: toHex(LIGHT.text),
    accentSoft: toHex(soft(accent)),
    focus: toHex(accent),
    contrast: round2(contrast(accent, LIGHT.bg)),
    adjusted: toHex(accent) !== toHex(color),
  };
}

export function darkPalette(color: Rgb): AccentPalette {
  const soft = (c: Rgb) => mix(DARK.card, c, 0.22);
  const accent = nearestReadable(color, WHITE, [
    (c) => contrast(c, DARK.bg),
    (c) => contrast(c, DARK.card),
    (c) => contrast(c, DARK.text),
    (c) => contrast(c, soft(c)),
  ]);
  return {
    accent: toHex(accent),
    accentHover: toHex(mix(accent, WHITE, 0.2)),
    accentText: toHex(DARK.text),
    accentSoft: toHex(soft(accent)),
    focus: toHex(mix(accent, WHITE, 0.2)),
    contrast: round2(Math.min(contrast(accent, DARK.bg), contrast(accent, DARK.card))),
    adjusted: toHex(accent) !== toHex(color),
  };
}

/** CSS custom properties overriding app/globals.css's accent, light and dark. */
export function accentCss(light: AccentPalette, dark: AccentPalette): string {
  const vars = (p: AccentPalette) =>
    `--accent:${p.accent};--accent-hover:${p.accentHover};--accent-text:${p.accentText};--accent-soft:${p.accentSoft};--focus:${p.focus}`;
  // html:root outranks globals.css's :root whatever the order the styles load in.
  return `html:root{${vars(light)}}@media (prefers-color-scheme:dark){html:root{${vars(dark)}}}`;
}
