// Driver adapters for the Prisma CLI (migrate, diff, generate) running its JavaScript schema engine.
// Prisma 6.19.3's JS engine path has four bugs on this setup; each workaround below is small and
// only affects the CLI. The app's own adapters (lib/db/client.ts) need none of them.
// Drift check and migration tests on both databases catch a regression when Prisma is upgraded.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { postgresPoolConfig, type DatabaseTarget } from "../lib/db/url";

type AnyAdapter = {
  executeRaw(q: { sql: string; args: unknown[] }): Promise<number>;
  executeScript(sql: string): Promise<void>;
  dispose(): Promise<void>;
};

export function cliAdapterFactory(target: DatabaseTarget) {
  return target.provider === "sqlite" ? sqliteFactory(target.filename) : postgresFactory(target);
}

function sqliteFactory(filename: string) {
  const factory = new PrismaBetterSQLite3({ url: filename });
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  // Bug 1: replaying a migration into the shadow database sends multi-statement SQL through
  // executeRaw, which better-sqlite3 rejects. Argument-less raw SQL is a script: run it as one.
  factory.connectToShadowDb = async () => {
    const shadow = (await connectToShadowDb()) as unknown as AnyAdapter;
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (q) => {
      if (q.args.length === 0) {
        await shadow.executeScript(q.sql);
        return 0;
      }
      return executeRaw(q);
    };
    return shadow as never;
  };
  return factory;
}

let pgPatched = false;

function postgresFactory(target: Extract<DatabaseTarget, { provider: "postgres" }>) {
  // Bug 3: the shadow database is created from {...config, database}, but a connectionString would
  // win over that database: give the pool separate fields.
  const config: pg.PoolConfig = postgresPoolConfig(target);
  const factory = new PrismaPg(config, target.schema ? { schema: target.schema } : undefined);
  const connect = factory.connect.bind(factory);

  factory.connect = async () => {
    const adapter = await connect();
    patchColumnTypes(adapter);
    return adapter;
  };

  // Bug 4: dropping the shadow database fails while its pool is still open: close the pool first.
  factory.connectToShadowDb = async () => {
    const admin = (await factory.connect()) as unknown as AnyAdapter;
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const pool = new pg.Pool({ ...config, database });
    const AdapterClass = (admin as object).constructor as new (
      pool: pg.Pool,
      options: undefined,
      release: () => Promise<void>,
    ) => AnyAdapter;
    return new AdapterClass(pool, undefined, async () => {
      await pool.end();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    }) as never;
  };
  return factory;
}

// Bug 2: the engine cannot deserialize PostgreSQL's `name` (19) and `"char"` (18) columns that its
// introspection queries return. They are text: report them as text (25).
function patchColumnTypes(adapter: object) {
  if (pgPatched) return;
  let proto = Object.getPrototypeOf(adapter) as Record<string, unknown> | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto) return;
  const performIO = proto.performIO as (this: unknown, q: unknown) => Promise<{ fields?: { dataTypeID: number }[] }>;
  proto.performIO = async function (this: unknown, q: unknown) {
    const result = await performIO.call(this, q);
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
    return result;
  };
  pgPatched = true;
}
