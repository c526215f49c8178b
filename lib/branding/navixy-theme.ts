// Navixy's service settings name the user interface's colour theme (`color_theme`, e.g. "aqua"; the mobile app's
// `app_color_theme` adds a shade, "blue_1"). Navixy's reference gives no list of the names, so this reads the
// colour names a theme can carry, and a hex colour as is. A name it does not know keeps the gateway's own colour,
// and the setup page says so.
import { parseHexColor, toHex } from "./color";

const THEME_COLORS: Record<string, string> = {
  aqua: "#00a3c4",
  cyan: "#0ea5c6",
  teal: "#0f8b8d",
  blue: "#1d5fd1",
  lightblue: "#2e8bd8",
  navy: "#1f3a93",
  indigo: "#4b4ec6",
  purple: "#7b3fc4",
  violet: "#8b44d6",
  pink: "#d6336c",
  red: "#d92d20",
  orange: "#e8590c",
  amber: "#f0a202",
  yellow: "#f5c518",
  lime: "#7cb518",
  green: "#2e9e47",
  brown: "#8d5524",
  gray: "#5f6b7a",
  grey: "#5f6b7a",
  black: "#1f2328",
  dark: "#1f2328",
};

/** The hex colour of a Navixy colour theme ("aqua", "Blue_1", "light-blue", "#00a3c4"), or null if unknown. */
export function navixyThemeColor(theme: string): string | null {
  const hex = parseHexColor(theme);
  if (hex && theme.trim().startsWith("#")) return toHex(hex);
  const name = theme
    .trim()
    .toLowerCase()
    .replace(/[_-]?\d+$/, "")
    .replace(/[^a-z]/g, "");
  return THEME_COLORS[name] ?? null;
}
