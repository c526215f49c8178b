import { defineConfig } from "vitest/config";
import path from "node:path";

// unit: pure logic and the emulators (dev/), no database.
// integration-sqlite / integration-postgres: the same *.int.test.ts files, each file on a fresh database
// of that kind, the route handlers served over real HTTP, the real Stripe SDK against the emulators.
const integration = (provider: "sqlite" | "postgres") => ({
  extends: true as const,
  test: {
    name: `integration-${provider}`,
    include: ["lib/**/*.int.test.ts"],
    globalSetup: ["dev/testing/global-setup.ts"],
    env: { TEST_DATABASE_PROVIDER: provider },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "dev/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**", "dev/bench/**"],
          testTimeout: 30_000,
        },
      },
      integration("sqlite"),
      integration("postgres"),
    ],
  },
});
