import { describe, expect, test } from "vitest";
import { contrast, parseHexColor, type Rgb } from "./color";
import { accentCss, darkPalette, lightPalette } from "./palette";
import { navixyThemeColor } from "./navixy-theme";

const hex = (h: string): Rgb => parseHexColor(h)!;
const LIGHT_BG = hex("#f3f5f8");
const DARK_BG = hex("#0e141b");
const DARK_CARD = hex("#17202b");

/** A deterministic spread of colours over the whole cube. */
function colours(n: number): Rgb[] {
  let seed = 42;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % 256);
  return Array.from({ length: n }, () => [next(), next(), next()] as const);
}

describe("contrast (WCAG 2.2)", () => {
  test("known ratios", () => {
    expect(contrast(hex("#000"), hex("#fff"))).toBeCloseTo(21, 5);
    expect(contrast(hex("#777"), hex("#fff"))).toBeCloseTo(4.48, 2);
    expect(contrast(hex("#fff"), hex("#fff"))).toBe(1);
  });
  test("hex parsing", () => {
    expect(parseHexColor("#FC0")).toEqual([255, 204, 0]);
    expect(parseHexColor("1d5fd1")).toEqual([29, 95, 209]);
    expect(parseHexColor("orange")).toBeNull();
    expect(parseHexColor("#12345")).toBeNull();
  });
});

describe("the accent palette: whatever colour the dealer picks, 4.5:1 everywhere it is used", () => {
  test.each(colours(400).map((c) => [c]))("%j", (c) => {
    const light = lightPalette(c);
    expect(contrast(hex(light.accent), LIGHT_BG)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(light.accent), hex("#ffffff"))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(light.accent), hex(light.accentText))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(light.accent), hex(light.accentSoft))).toBeGreaterThanOrEqual(4.5);
    const dark = darkPalette(c);
    expect(contrast(hex(dark.accent), DARK_BG)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(dark.accent), DARK_CARD)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(dark.accent), hex(dark.accentText))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(hex(dark.accent), hex(dark.accentSoft))).toBeGreaterThanOrEqual(4.5);
  });

  test("a readable colour is kept as it is; an unreadable one is changed as little as needed, and says so", () => {
    expect(lightPalette(hex("#1d5fd1"))).toMatchObject({ accent: "#1d5fd1", adjusted: false });
    const yellow = lightPalette(hex("#f5c518"));
    expect(yellow.adjusted).toBe(true);
    expect(yellow.contrast).toBeGreaterThanOrEqual(4.5);
    expect(yellow.contrast).toBeLessThan(5); // the nearest readable shade, not black
    expect(darkPalette(hex("#f5c518"))).toMatchObject({ accent: "#f5c518", adjusted: false });
    expect(darkPalette(hex("#1d5fd1")).adjusted).toBe(true);
  });

  test("CSS: light, then dark under prefers-color-scheme, outranking globals.css's :root", () => {
    const css = accentCss(lightPalette(hex("#1d5fd1")), darkPalette(hex("#1d5fd1")));
    expect(css).toMatch(/^html:root\{--accent:#1d5fd1;--accent-hover:#[0-9a-f]{6};--accent-text:#ffffff;--accent-soft:#[0-9a-f]{6};--focus:#1d5fd1\}/);
    expect(css).toMatch(/@media \(prefers-color-scheme:dark\)\{html:root\{--accent:#[0-9a-f]{6};/);
    expect(css).not.toMatch(/[<>"'`]/);
  });
});

describe("Navixy colour themes", () => {
  test.each([
    ["aqua", "#00a3c4"],
    ["Blue_1", "#1d5fd1"],
    ["light-blue", "#2e8bd8"],
    [" orange ", "#e8590c"],
    ["#ABC", "#aabbcc"],
    ["plaid", null],
    ["", null],
  ])("%j → %s", (theme, colour) => {
    expect(navixyThemeColor(theme)).toBe(colour);
  });
});
