// Generates both Prisma clients (SQLite and PostgreSQL): the app picks one at run time from DATABASE_URL.
import { execFileSync } from "node:child_process";

const urls = { sqlite: "file:./data/gateway.db", postgres: "postgresql://localhost:5432/gateway" };
for (const [provider, url] of Object.entries(urls)) {
  execFileSync("npx", ["prisma", "generate"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  console.log(`prisma: ${provider} client generated`);
}
