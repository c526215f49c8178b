// The example alert rules shipped for operators (docs/prometheus-rules.yml) are valid for Prometheus, and fire as
// their unit tests say (docs/prometheus-rules.test.yml), checked with Prometheus's own promtool.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROMTOOL = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => fs.existsSync(p));
const MISSING = "promtool is not installed here (Debian: apt-get install prometheus; .ci/run installs it)";

function promtool(...args: string[]): string {
  return execFileSync(PROMTOOL!, args, { cwd: path.join(ROOT, "docs"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test("promtool check rules: the example rules are valid", (ctx) => {
  if (!PROMTOOL) return ctx.skip(MISSING);
  const out = promtool("check", "rules", "prometheus-rules.yml");
  expect(out).toMatch(/SUCCESS: \d+ rules found/);
});

test("promtool test rules: they fire when they should, once per dealer whatever the number of instances", (ctx) => {
  if (!PROMTOOL) return ctx.skip(MISSING);
  expect(promtool("test", "rules", "prometheus-rules.test.yml")).toContain("SUCCESS");
});
