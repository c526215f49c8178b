// Colour arithmetic for the dealer's accent colour: WCAG 2.2 contrast, and the smallest change that makes a colour
// readable. Whatever colour a dealer picks, text and buttons in it keep a contrast of at least 4.5:1 (1.4.3).

export type Rgb = readonly [number, number, number];

/** "#1d5fd1", "1d5fd1", "#fc0" → [r, g, b]; anything else → null. */
export function parseHexColor(text: string): Rgb | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `a` moved towards `b` by `t` (0 = a, 1 = b), rounded to whole channel values. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as unknown as Rgb;
}

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

/** The WCAG AA minimum for text. A little is added so that rounding never lands a colour just under it. */
export const MIN_TEXT_CONTRAST = 4.5;
const TARGET = 4.55;

/**
 * The colour closest to `color` (moved towards `towards`, black to darken or white to lighten) for which every
 * check passes. Checks get the candidate and answer with the contrast that must reach 4.5:1.
 */
export function nearestReadable(color: Rgb, towards: Rgb, checks: ((candidate: Rgb) => number)[]): Rgb {
  for (let step = 0; step <= 100; step++) {
    const candidate = mix(color, towards, step / 100);
    if (checks.every((check) => check(candidate) >= TARGET)) return candidate;
  }
  return towards;
}
