// Prepares one migrated template database per provider, which each test file then copies: migrations
// run once (through the real `prisma migrate deploy`), and every file still starts from a clean ledger.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

const root = path.resolve(__dirname, "../..");
export const TEMPLATE_DIR = path.join(root, ".tmp", "test-db");

function migrate(databaseUrl: string) {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export default async function setup(project: TestProject) {
  const provider = process.env.TEST_DATABASE_PROVIDER ?? project.config.env?.TEST_DATABASE_PROVIDER;
  if (provider === "sqlite") {
    fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
    const file = path.join(TEMPLATE_DIR, `template-${process.pid}.db`);
    fs.rmSync(file, { force: true });
    migrate(`file:${file}`);
    project.provide("sqliteTemplate", file);
    return () => fs.rmSync(file, { force: true });
  }
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) {
    project.provide("postgresTemplate", "");
    return;
  }
  const template = `gateway_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${template}`;
  migrate(u.toString());
  project.provide("postgresTemplate", template);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await c.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplate: string;
  }
}
