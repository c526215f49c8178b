// The browser tests run against a production build (`next build` + `next start`). Called from
// playwright.config.ts, in the runner's main process only, before the web servers start.
//   E2E_BUILD=1  always rebuild
//   E2E_BUILD=0  never rebuild (fails if there is no build)
//   otherwise    build when .next/BUILD_ID is missing or older than a source file of the app
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./env";

const SOURCES = ["app", "components", "lib", "public", "proxy.ts", "instrumentation.ts", "next.config.js", "package-lock.json", "tsconfig.json"];
const IGNORED = /(\.test\.ts$|\.int\.test\.ts$|\/generated\/|\/node_modules\/|\/testing\/|\/emulators\/.*\.test\.ts$)/;

function newestSource(): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    } else if (!IGNORED.test(p.split(path.sep).join("/")) && (!newest || st.mtimeMs > newest.mtimeMs)) {
      newest = { file: p, mtimeMs: st.mtimeMs };
    }
  };
  for (const s of SOURCES) visit(path.join(ROOT, s));
  return newest;
}

/** Why a build is needed, or null. */
export function buildReason(): string | null {
  const mode = process.env.E2E_BUILD;
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (mode === "1") return "E2E_BUILD=1";
  if (!fs.existsSync(buildId)) {
    if (mode === "0") throw new Error("E2E_BUILD=0 but there is no production build (.next/BUILD_ID): run `npx next build`.");
    return "no production build yet (.next/BUILD_ID is missing)";
  }
  if (mode === "0") return null;
  const built = fs.statSync(buildId).mtimeMs;
  const newest = newestSource();
  if (newest && newest.mtimeMs > built) return `${path.relative(ROOT, newest.file)} changed after the last build`;
  return null;
}

export function ensureProductionBuild(): void {
  const reason = buildReason();
  if (!reason) return;
  console.error(`[e2e] next build: ${reason}`);
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  // One build serves both configurations: the mode is chosen when the server starts, never baked in.
  delete env.SANDBOX;
  const started = Date.now();
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", 2, 2], // stdout stays the reporters'
    });
  } catch {
    // Shown by Playwright as the config's error, without a stack trace of this file.
    throw new Error("`next build` failed (its output is above): the browser tests need a production build.");
  }
  console.error(`[e2e] next build done in ${Math.round((Date.now() - started) / 1000)} s`);
}
