import { afterEach, describe, expect, test, vi } from "vitest";
import { Lease, type RenewLease } from "./lease";

const ROW = { id: "mov_1", leaseOwner: "worker-a", version: 3 };

/** A row's leaseUntil as the database keeps it: the last write to complete wins. */
function fakeRow(delaysMs: number[] = []) {
  const writes: Date[] = [];
  let leaseUntil: Date | undefined;
  let owned = true;
  const renew: RenewLease = async (_where, until) => {
    const delay = delaysMs.shift() ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (!owned) return 0;
    writes.push(until);
    leaseUntil = until;
    return 1;
  };
  return {
    renew,
    writes,
    get leaseUntil() {
      return leaseUntil;
    },
    takeOver() {
      owned = false;
    },
  };
}

describe("a lease", () => {
  afterEach(() => vi.useRealTimers());

  test("a heartbeat after a renewal that covers a call never moves the lease earlier than that cover", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z") });
    const row = fakeRow();
    const lease = new Lease(row.renew, ROW, 1_000);
    const callDeadline = new Date(Date.now() + 15_000);
    expect(await lease.renew(15_000)).toBe(true);
    expect(row.leaseUntil).toEqual(callDeadline);
    // Heartbeats while the call is in flight (one lease is 1 s, the call may take 15 s).
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(400);
      expect(await lease.renew()).toBe(true);
      expect(row.leaseUntil!.getTime()).toBeGreaterThanOrEqual(callDeadline.getTime());
    }
    // Past the cover, a heartbeat extends by one lease again.
    vi.advanceTimersByTime(14_000);
    expect(await lease.renew()).toBe(true);
    expect(row.leaseUntil).toEqual(new Date(Date.now() + 1_000));
  });

  test("a heartbeat still on its way when a covering renewal is made never lands after it", async () => {
    // The heartbeat's UPDATE is slow, the covering one fast: written in that order, the cover would be lost.
    const row = fakeRow([60, 0]);
    const lease = new Lease(row.renew, ROW, 1_000);
    const callDeadline = new Date(Date.now() + 15_000);
    const heartbeat = lease.renew();
    const fence = lease.renew(15_000);
    expect(await Promise.all([heartbeat, fence])).toEqual([true, true]);
    expect(row.leaseUntil!.getTime()).toBeGreaterThanOrEqual(callDeadline.getTime());
  });

  test("a renewal never shortens a lease: one lease from now when nothing longer was granted", async () => {
    const row = fakeRow();
    const lease = new Lease(row.renew, ROW, 10_000);
    const before = Date.now();
    await lease.renew(2_000); // a cover shorter than one lease
    expect(row.leaseUntil!.getTime()).toBeGreaterThanOrEqual(before + 10_000);
  });

  test("a claim taken over is lost for good: no later renewal writes", async () => {
    const row = fakeRow();
    const lost: string[] = [];
    const lease = new Lease(row.renew, ROW, 1_000, (r) => lost.push(r.id));
    expect(await lease.renew()).toBe(true);
    row.takeOver();
    expect(await lease.renew(5_000)).toBe(false);
    expect(lease.lost).toBe(true);
    expect(await lease.renew()).toBe(false);
    expect(row.writes).toHaveLength(1);
    expect(lost).toEqual(["mov_1"]);
  });
});
