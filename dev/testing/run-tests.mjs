#!/usr/bin/env node
// `npm test`: every suite, one summary line. Unit and integration tests run with Vitest (integration on
// SQLite always, on PostgreSQL when one is reachable), the browser tests with Playwright when present.
// Ends with "N passed, N failed" summed over every suite; exits non-zero if anything failed.
import { spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const out = path.join(root, ".tmp", "test-results");
fs.mkdirSync(out, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;

function postgresUrl() {
  if (process.env.TEST_POSTGRES_URL) return process.env.TEST_POSTGRES_URL;
  if (process.env.SKIP_POSTGRES === "1") return "";
  if (!fs.existsSync("/usr/lib/postgresql")) return "";
  try {
    return execFileSync("bash", [path.join(root, ".ci", "postgres.sh")], { encoding: "utf8" }).trim();
  } catch (error) {
    console.warn(`PostgreSQL could not be started (${error.message.split("\n")[0]}); its integration tests are skipped.`);
    return "";
  }
}

function vitest() {
  const pgUrl = postgresUrl();
  const projects = ["unit", "integration-sqlite"];
  if (pgUrl) projects.push("integration-postgres");
  else console.log("No PostgreSQL here: integration-postgres skipped (set TEST_POSTGRES_URL or install postgresql).");
  const report = path.join(out, "vitest.json");
  fs.rmSync(report, { force: true });
  const args = ["vitest", "run", ...projects.flatMap((p) => ["--project", p]), "--reporter=default", "--reporter=json", `--outputFile.json=${report}`];
  const res = spawnSync("npx", args, { cwd: root, stdio: "inherit", env: { ...process.env, TEST_POSTGRES_URL: pgUrl } });
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    if (r.numFailedTests === 0 && res.status !== 0) failed += 1; // a suite that crashed before its tests ran
  } else {
    failed += 1;
  }
}

function playwright() {
  if (!fs.existsSync(path.join(root, "playwright.config.ts"))) return;
  const report = path.join(out, "playwright.json");
  fs.rmSync(report, { force: true });
  const res = spawnSync("npx", ["playwright", "test", "--reporter=list,json"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  if (fs.existsSync(report)) {
    const s = JSON.parse(fs.readFileSync(report, "utf8")).stats ?? {};
    passed += (s.expected ?? 0) + (s.flaky ?? 0);
    failed += s.unexpected ?? 0;
    skipped += s.skipped ?? 0;
    if ((s.unexpected ?? 0) === 0 && res.status !== 0) failed += 1;
  } else {
    failed += 1;
  }
}

const only = process.argv[2];
if (!only || only === "vitest") vitest();
if (!only || only === "e2e") playwright();
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
