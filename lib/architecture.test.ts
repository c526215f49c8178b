// The import rules of docs/architecture.md, checked on every file: a forbidden import fails here, naming
// the file, the import and the rule. Test files may import anything (the harness lives in dev/).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const TEST = /\.(test|int\.test)\.(ts|tsx)$/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
      const rel = path.posix.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "generated" && entry.name !== "node_modules") walk(rel);
      } else if (SOURCE.test(entry.name) && !TEST.test(entry.name)) out.push(rel);
    }
  };
  walk(dir);
  return out;
}

/** Every import of a production file, resolved to a path from the project root (packages are left out). */
function importsOf(file: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'\n]+)["']/g)].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith(".") || s.startsWith("@/"))
    .map((s) => (s.startsWith("@/") ? s.slice(2) : path.posix.normalize(path.posix.join(path.posix.dirname(file), s))));
}

const PRODUCTION = [...filesUnder("lib"), ...filesUnder("app"), ...filesUnder("components"), "proxy.ts", "instrumentation.ts"];

const under = (...prefixes: string[]) => (p: string) => prefixes.some((x) => p === x || p.startsWith(`${x}/`) || p === x.replace(/\.ts$/, ""));
/** The use cases: files directly in lib/payments/. */
const useCase = (p: string) => /^lib\/payments\/[^/]+$/.test(p);
const features = under("lib/autotopup", "lib/admin", "lib/ops", "lib/checkout", "lib/branding", "lib/sandbox", "lib/reconciliation", "lib/server/start", "lib/alerts", "lib/monitoring");
const foundation = under("lib/config", "lib/db", "lib/logging", "lib/money", "lib/http", "lib/stripe", "lib/ids", "lib/i18n", "lib/metrics", "lib/lru");

interface Rule {
  name: string;
  from: (file: string) => boolean;
  forbidden: (target: string) => boolean;
}

const RULES: Rule[] = [
  { name: "production code never imports dev code or the browser tests", from: () => true, forbidden: under("dev", "e2e") },
  { name: "lib/ never imports routes, pages or components", from: under("lib"), forbidden: under("app", "components") },
  { name: "nothing imports the operator CLI", from: () => true, forbidden: under("lib/ops") },
  {
    name: "the money's path knows no feature built on it (they plug in through lib/payments/hooks.ts)",
    from: under("lib/payments"),
    forbidden: features,
  },
  {
    name: "the ledger imports nothing above it (use cases, intake, outbox, worker)",
    from: under("lib/payments/ledger"),
    forbidden: (t) => useCase(t) || under("lib/payments/intake", "lib/payments/outbox", "lib/payments/worker")(t),
  },
  {
    name: "the outbox imports only the ledger, the Navixy client and foundations",
    from: under("lib/payments/outbox"),
    forbidden: (t) => useCase(t) || under("lib/payments/intake", "lib/payments/worker")(t),
  },
  {
    name: "use cases never reach into the worker or the intake",
    from: useCase,
    forbidden: under("lib/payments/worker", "lib/payments/intake"),
  },
  { name: "the Navixy client knows nothing of payments", from: under("lib/navixy"), forbidden: (t) => under("lib/payments")(t) || features(t) },
  {
    name: "foundations import no domain",
    from: foundation,
    forbidden: under("lib/payments", "lib/navixy", "lib/autotopup", "lib/admin", "lib/ops", "lib/checkout", "lib/sandbox", "lib/reconciliation", "lib/server", "lib/security", "lib/alerts", "lib/monitoring"),
  },
];

describe("import rules (docs/architecture.md)", () => {
  test("the rules see the project's files", () => {
    expect(PRODUCTION.length).toBeGreaterThan(100);
    expect(PRODUCTION).toContain("lib/payments/outbox/send-movement.ts");
  });

  for (const rule of RULES) {
    test(rule.name, () => {
      const broken = PRODUCTION.filter(rule.from).flatMap((file) => importsOf(file).filter(rule.forbidden).map((target) => `${file} imports ${target}`));
      expect(broken).toEqual([]);
    });
  }

  test("a forbidden import is caught (the check itself works)", () => {
    const rule = RULES.find((r) => r.from("lib/payments/ledger/states.ts") && r.name.startsWith("the ledger"))!;
    expect(rule.forbidden("lib/payments/outbox/send-movement")).toBe(true);
    expect(rule.forbidden("lib/payments/sync-payment-intent")).toBe(true);
    expect(rule.forbidden("lib/db/client")).toBe(false);
    expect(importsOf("lib/payments/outbox/send-movement.ts")).toContain("lib/payments/outbox/lookup");
  });
});
