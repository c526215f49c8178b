// Pages, layouts, routes and components stay thin: they call named functions of lib/ (lib/admin for the
// console, lib/autotopup, lib/payments...) and never reach the database themselves, so every query has a name,
// a home next to its tests, and one place to change when the ledger does.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const THIN = ["app", "components"];

/** What reaching the database looks like in a source file. */
const DATABASE_ACCESS: { what: string; pattern: RegExp }[] = [
  { what: "uses the database client (.db)", pattern: /\.db\b/ },
  { what: "takes the database client out of services", pattern: /\{[^}]*\bdb\b[^}]*\}\s*=/ },
  { what: "imports lib/db", pattern: /["'][^"']*\blib\/db(?:\/[^"']*)?["']/ },
  { what: "imports Prisma", pattern: /["']@prisma\// },
];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(tsx?|jsx?|mjs)$/.test(entry.name) ? [full] : [];
  });
}

function databaseAccess(source: string): string[] {
  return source.split("\n").flatMap((line, i) => DATABASE_ACCESS.filter(({ pattern }) => pattern.test(line)).map(({ what }) => `line ${i + 1} ${what}: ${line.trim()}`));
}

describe("pages and routes stay thin", () => {
  test("the check recognises database access", () => {
    expect(databaseAccess(`const found = await services.db.balanceMovement.findMany({});`)).toHaveLength(1);
    expect(databaseAccess(`await listRules(getServices().db, {});`)).toHaveLength(1);
    expect(databaseAccess(`const { config, db } = services;`)).toHaveLength(1);
    expect(databaseAccess(`import { transaction } from "@/lib/db/client";`)).toHaveLength(1);
    expect(databaseAccess(`import type { Prisma } from "@prisma/client";`)).toHaveLength(1);
    expect(databaseAccess(`const page = await autoTopUpRulesView(services, { navixyUserId });`)).toEqual([]);
  });

  test("no file under app/ or components/ reaches the database: each query is a named function in lib/", () => {
    const files = THIN.flatMap((dir) => sourceFiles(path.join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((file) => databaseAccess(fs.readFileSync(file, "utf8")).map((found) => `${path.relative(ROOT, file)} ${found}`));
    expect(offenders, "move each query into lib/admin (console pages and routes) or the lib/ area it belongs to").toEqual([]);
  });
});
