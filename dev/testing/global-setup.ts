// Prepares one migrated template database per provider, which each test file then copies: migrations
// run once (through the real `prisma migrate deploy`), and every file still starts from a clean ledger.
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ROOT, dropPostgresDatabase, freshPostgresDatabase, migrateDatabase } from "./app-process";

export const TEMPLATE_DIR = path.join(ROOT, ".tmp", "test-db");

export default async function setup(project: TestProject) {
  const provider = process.env.TEST_DATABASE_PROVIDER ?? project.config.env?.TEST_DATABASE_PROVIDER;
  if (provider === "sqlite") {
    fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
    const file = path.join(TEMPLATE_DIR, `template-${process.pid}.db`);
    fs.rmSync(file, { force: true });
    migrateDatabase(`file:${file}`);
    project.provide("sqliteTemplate", file);
    return () => fs.rmSync(file, { force: true });
  }
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) {
    project.provide("postgresTemplate", "");
    return;
  }
  const template = `gateway_template_${process.pid}`;
  await freshPostgresDatabase(adminUrl, template);
  project.provide("postgresTemplate", template);
  return () => dropPostgresDatabase(adminUrl, template);
}

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplate: string;
  }
}
