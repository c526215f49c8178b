// Which Chromium the tests drive: E2E_CHROMIUM if set, else Debian's /usr/bin/chromium (no download needed),
// else Playwright's own (`npx playwright install chromium`). Without any, a message says how to get one.
import fs from "node:fs";
import { chromium, type LaunchOptions } from "@playwright/test";

const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

export function chromiumLaunchOptions(): LaunchOptions {
  const explicit = process.env.E2E_CHROMIUM;
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`E2E_CHROMIUM=${explicit} does not exist.`);
    return { executablePath: explicit, args: ARGS };
  }
  const system = SYSTEM_CHROMIUM.find((p) => fs.existsSync(p));
  if (system) return { executablePath: system, args: ARGS };
  let bundled = "";
  try {
    bundled = chromium.executablePath();
  } catch {
    /* no registry entry */
  }
  if (bundled && fs.existsSync(bundled)) return { args: ARGS };
  throw new Error(
    [
      "No Chromium for the browser tests (e2e/).",
      `Looked for ${SYSTEM_CHROMIUM.join(", ")} and Playwright's own${bundled ? ` (${bundled})` : ""}. Install one:`,
      "  apt-get install -y chromium          # Debian/Ubuntu, no download from Playwright needed",
      "  npx playwright install chromium      # with internet access",
      "or point E2E_CHROMIUM at a Chromium/Chrome binary.",
    ].join("\n"),
  );
}
