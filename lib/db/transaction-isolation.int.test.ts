// A statement made outside a transaction is never part of another's: on SQLite the app has one connection, and a write
// made while another request's transaction was open went into that transaction and was lost when it rolled back. The
// webhook's stored event (answered 200, so Stripe never sends it again) is the write that matters most.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import { TRANSACTION_IDLE_LIMIT_MS, transaction } from "./client";

describe.skipIf(databaseUnavailable())("writes outside a transaction", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  }, 60_000);
  afterAll(async () => gw?.close());

  test("an event stored while another transaction is open stays stored when that transaction rolls back", async () => {
    const db = gw.services.rootDb;
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const rolledBack = transaction(db, async (tx) => {
      await tx.rateLimitWindow.create({ data: { key: "isolation-test", windowStart: new Date(), count: 1, expiresAt: new Date() } });
      inside();
      await new Promise((resolve) => setTimeout(resolve, 300));
      throw new Error("this transaction rolls back");
    }).catch((error: Error) => error.message);
    await opened;
    const payload = JSON.stringify({ id: "evt_isolation_1", object: "event", type: "customer.created", livemode: false, created: 1, data: { object: { id: "cus_1", object: "customer" } } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_KEYS.webhookSecret });
    const delivered = await gw.request("POST", "/api/stripe/webhook", payload, { "stripe-signature": signature, "content-type": "application/json" });
    expect(delivered.status).toBe(200);
    expect(await rolledBack).toBe("this transaction rolls back");
    expect(await db.rateLimitWindow.count({ where: { key: "isolation-test" } })).toBe(0);
    expect(await db.stripeEvent.count({ where: { id: "evt_isolation_1" } })).toBe(1);
  });
});

describe.skipIf(databaseUnavailable())("the driver's own transaction (DirectSql.transaction)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  }, 60_000);
  afterAll(async () => gw?.close());

  const start = new Date("2026-01-01T00:00:00Z");
  const window = (key: string) =>
    [`INSERT INTO "RateLimitWindow" ("key", "windowStart", "count", "expiresAt") VALUES (?, ?, 1, ?)`, [key, start, start]] as const;
  const count = (prefix: string) => gw.services.rootDb.rateLimitWindow.count({ where: { key: { startsWith: prefix } } });

  test("keeps every statement of a function that returns, and none of one that throws, nested calls included", async () => {
    const { sql } = gw.services;
    await sql.transaction(async (tx) => {
      await tx.execute(...window("direct-commit-1"));
      await tx.transaction((nested) => nested.execute(...window("direct-commit-2")));
    });
    expect(await count("direct-commit-")).toBe(2);

    const failed = await sql
      .transaction(async (tx) => {
        await tx.execute(...window("direct-rollback-1"));
        await tx.transaction((nested) => nested.execute(...window("direct-rollback-2")));
        throw new Error("rolled back");
      })
      .catch((error: Error) => error.message);
    expect(failed).toBe("rolled back");
    expect(await count("direct-rollback-")).toBe(0);
  });

  test("a statement made outside it while it is open is not part of it", async () => {
    const { sql } = gw.services;
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const rolledBack = sql
      .transaction(async (tx) => {
        await tx.execute(...window("direct-inside"));
        inside();
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw new Error("rolled back");
      })
      .catch((error: Error) => error.message);
    await opened;
    await sql.execute(...window("direct-outside"));
    expect(await rolledBack).toBe("rolled back");
    expect(await count("direct-inside")).toBe(0);
    expect(await count("direct-outside")).toBe(1);
  });

  test("a failed statement rolls the transaction back and the connection serves the next one", async () => {
    const { sql } = gw.services;
    const failed = await sql
      .transaction(async (tx) => {
        await tx.execute(...window("direct-after-error-1"));
        await tx.execute(...window("direct-after-error-1")); // the same key again: refused
      })
      .catch(() => "refused");
    expect(failed).toBe("refused");
    expect(await count("direct-after-error-")).toBe(0);
    for (let i = 0; i < 12; i++) await sql.transaction((tx) => tx.execute(...window(`direct-after-error-next-${i}`)));
    expect(await count("direct-after-error-next-")).toBe(12);
  });

  test.skipIf(process.env.TEST_DATABASE_PROVIDER !== "postgres")(
    "left idle on PostgreSQL, it is ended by the server after TRANSACTION_IDLE_LIMIT_MS: the driver's transactions and Prisma's alike",
    async () => {
      const limit = `${TRANSACTION_IDLE_LIMIT_MS / 1000}s`;
      const shown = await gw.services.sql.transaction((tx) => tx.query<{ idle_in_transaction_session_timeout: string }>("SHOW idle_in_transaction_session_timeout", []));
      expect(shown[0]?.idle_in_transaction_session_timeout).toBe(limit);
      const viaPrisma = await transaction(gw.services.rootDb, (tx) => tx.$queryRawUnsafe<{ idle_in_transaction_session_timeout: string }[]>("SHOW idle_in_transaction_session_timeout"));
      expect(viaPrisma[0]?.idle_in_transaction_session_timeout).toBe(limit);
    },
  );
});
