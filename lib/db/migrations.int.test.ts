// The committed migrations produce exactly the models in prisma/models.prisma, on this project's database.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";
import { databaseUnavailable } from "../../dev/testing/harness";

const root = path.resolve(__dirname, "../..");

test.skipIf(databaseUnavailable())("migrations are in sync with the models", () => {
  const provider = process.env.TEST_DATABASE_PROVIDER === "postgres" ? "postgres" : "sqlite";
  const databaseUrl = provider === "postgres" ? process.env.TEST_POSTGRES_URL! : `file:${path.join(root, ".tmp", "test-db", `drift-${process.pid}.db`)}`;
  const dir = path.join("prisma", provider);
  const run = () =>
    execFileSync(
      "npx",
      ["prisma", "migrate", "diff", "--from-migrations", path.join(dir, "migrations"), "--to-schema-datamodel", dir, "--exit-code"],
      { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  // Exit code 2 (a model changed without a migration) throws here.
  expect(run()).toContain("No difference detected");
});
