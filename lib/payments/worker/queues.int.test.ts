// The money's path's due queries: which stored events and owed movements the worker takes, across dealers, with the
// dealers it cannot take more from left out, oldest due first, at most a batch.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../../dev/testing/harness";
import { movementQueue, stripeEventQueue } from "./queues";
import type { DueQuery, WorkQueue } from "./queue";

describe.skipIf(databaseUnavailable())("the due queries of stored events and owed movements", () => {
  let gw: Gateway;
  const now = new Date("2026-06-01T12:00:00.000Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  beforeAll(async () => {
    gw = await startGateway({ worker: false });
    const db = gw.services.rootDb;
    // Per dealer: rows due at different times, one not due yet, one held under a live lease, one whose lease ran out.
    for (const [n, dealerId] of ["dq-a", "dq-b", "dq-c"].entries()) {
      const event = (id: string, fields: Record<string, unknown>) =>
        db.stripeEvent.create({
          data: { id: `evt_${dealerId}_${id}`, dealerId, type: "payment_intent.succeeded", livemode: false, payload: "{}", stripeCreatedAt: now, ...fields },
        });
      await event("due_old", { status: "received", nextAttemptAt: at(-300 + n) });
      await event("due_new", { status: "received", nextAttemptAt: at(-10 + n), version: 2 });
      await event("due_exactly_now", { status: "received", nextAttemptAt: now });
      await event("later", { status: "received", nextAttemptAt: at(60) });
      await event("held", { status: "processing", nextAttemptAt: at(-500), leaseUntil: at(30), leaseOwner: "w1" });
      await event("lease_ran_out", { status: "processing", nextAttemptAt: at(-200 + n), leaseUntil: at(-1), leaseOwner: "w1", version: 5 });
      await event("done", { status: "processed", nextAttemptAt: at(-900) });

      const payment = await db.payment.create({ data: { id: `pay_${dealerId}`, dealerId, navixyUserId: 1, amount: 100, currency: "usd", status: "succeeded" } });
      const movement = (id: string, fields: Record<string, unknown>) =>
        db.balanceMovement.create({
          data: {
            id: `mv_${dealerId}_${id}`,
            dealerId,
            paymentId: payment.id,
            kind: "credit",
            navixyUserId: 1,
            amount: 100,
            currency: "usd",
            navixyAmount: "1.00",
            reference: `pi_${dealerId}_${id}`,
            text: "test",
            idempotencyKey: `credit:${dealerId}:${id}`,
            ...fields,
          },
        });
      await movement("pending", { state: "pending", nextAttemptAt: at(-100 + n) });
      await movement("unknown", { state: "unknown", nextAttemptAt: at(-50 + n), version: 3 });
      await movement("pending_later", { state: "pending", nextAttemptAt: at(60) });
      await movement("sending", { state: "sending", nextAttemptAt: at(-400), leaseUntil: at(30), leaseOwner: "w1" });
      await movement("sending_ran_out", { state: "sending", nextAttemptAt: at(-30 + n), leaseUntil: at(-1), leaseOwner: "w1", version: 7 });
      await movement("applied", { state: "applied", nextAttemptAt: at(-900) });
      await movement("failed", { state: "failed", nextAttemptAt: at(-900) });
    }
  }, 60_000);
  afterAll(async () => gw?.close());

  const due = (queue: WorkQueue, q: Partial<DueQuery> = {}) =>
    queue.due(gw.services.rootDb, { now, limit: 100, excludeDealers: [], ...q }, gw.services.sql);
  const ids = (items: { id: string }[]) => items.map((i) => i.id);

  test("stored events: received and due, or processing with the lease run out, oldest due first, with their version", async () => {
    const items = await due(stripeEventQueue, { onlyDealer: "dq-b" });
    expect(items).toEqual([
      { queue: "event", dealerId: "dq-b", id: "evt_dq-b_due_old", version: 0 },
      { queue: "event", dealerId: "dq-b", id: "evt_dq-b_lease_ran_out", version: 5 },
      { queue: "event", dealerId: "dq-b", id: "evt_dq-b_due_new", version: 2 },
      { queue: "event", dealerId: "dq-b", id: "evt_dq-b_due_exactly_now", version: 0 },
    ]);
  });

  test("owed movements: pending or unknown and due, or sending with the lease run out, with their version and state", async () => {
    const items = await due(movementQueue, { onlyDealer: "dq-c" });
    expect(items).toEqual([
      { queue: "movement", dealerId: "dq-c", id: "mv_dq-c_pending", version: 0, state: "pending" },
      { queue: "movement", dealerId: "dq-c", id: "mv_dq-c_unknown", version: 3, state: "unknown" },
      { queue: "movement", dealerId: "dq-c", id: "mv_dq-c_sending_ran_out", version: 7, state: "sending" },
    ]);
  });

  test("every dealer's rows in one query, the excluded dealers' left out, at most the limit, oldest due first", async () => {
    const all = await due(stripeEventQueue);
    expect(all).toHaveLength(12);
    expect(ids(all.slice(0, 3))).toEqual(["evt_dq-a_due_old", "evt_dq-b_due_old", "evt_dq-c_due_old"]);
    const times = await gw.services.rootDb.stripeEvent.findMany({ where: { id: { in: ids(all) } }, select: { id: true, nextAttemptAt: true } });
    const dueAt = new Map(times.map((t) => [t.id, t.nextAttemptAt.getTime()]));
    expect(ids(all).map((id) => dueAt.get(id)!)).toEqual([...ids(all).map((id) => dueAt.get(id)!)].sort((a, b) => a - b));

    const withoutTwo = await due(stripeEventQueue, { excludeDealers: ["dq-a", "dq-c"] });
    expect(new Set(withoutTwo.map((i) => i.dealerId))).toEqual(new Set(["dq-b"]));
    expect(withoutTwo).toHaveLength(4);

    const movements = await due(movementQueue, { excludeDealers: ["dq-b"], limit: 3 });
    expect(ids(movements)).toEqual(["mv_dq-a_pending", "mv_dq-c_pending", "mv_dq-a_unknown"]);
  });

  test("one dealer only: none when that dealer is excluded, none of a dealer without rows", async () => {
    expect(await due(stripeEventQueue, { onlyDealer: "dq-a", excludeDealers: ["dq-a"] })).toEqual([]);
    expect(await due(movementQueue, { onlyDealer: "dq-a", excludeDealers: ["dq-a"] })).toEqual([]);
    expect(await due(movementQueue, { onlyDealer: "dq-none" })).toEqual([]);
    expect(ids(await due(movementQueue, { onlyDealer: "dq-a", excludeDealers: ["dq-b"] }))).toHaveLength(3);
  });
});
