import { describe, expect, test } from "vitest";
import { DealerCircuits, DealerSlots, roundRobin } from "./fairness";

describe("roundRobin", () => {
  test("the dealers with due rows take turns, each dealer's rows keeping their order", () => {
    const rows = ["a1", "a2", "a3", "a4", "b1", "c1", "c2"].map((id) => ({ id, dealer: id[0]! }));
    expect(roundRobin(rows, (r) => r.dealer).map((r) => r.id)).toEqual(["a1", "b1", "c1", "a2", "c2", "a3", "a4"]);
  });

  test("a dealer with thousands of rows first in due order does not push the others back", () => {
    const rows = [...Array.from({ length: 5000 }, (_, i) => ({ id: `big${i}`, dealer: "big" })), { id: "small", dealer: "small" }];
    expect(roundRobin(rows, (r) => r.dealer).findIndex((r) => r.id === "small")).toBe(1);
  });
});

describe("DealerSlots", () => {
  test("at most `limit` rows of one dealer at once; other dealers are not affected", () => {
    const slots = new DealerSlots(2);
    expect(slots.tryTake("a", 0)).toBe(true);
    expect(slots.tryTake("a", 0)).toBe(true);
    expect(slots.tryTake("a", 0)).toBe(false);
    expect(slots.tryTake("b", 0)).toBe(true);
    expect(slots.blocked(0)).toEqual(["a"]);
    slots.release("a");
    expect(slots.tryTake("a", 0)).toBe(true);
  });

  test("'too many requests' halves the dealer's limit and pauses it; successes raise it back one at a time", () => {
    const slots = new DealerSlots(8, { firstMs: 500, maxMs: 4_000 });
    const until = slots.rateLimited("a", 1_000).until;
    expect(until).toBe(1_500);
    expect(slots.limitOf("a")).toBe(4);
    expect(slots.tryTake("a", 1_400)).toBe(false);
    expect(slots.blocked(1_400)).toEqual(["a"]);
    expect(slots.tryTake("a", 1_500)).toBe(true);
    slots.release("a");
    // Answers of calls already under way while it is paused change nothing.
    expect(slots.rateLimited("a", 1_200)).toEqual({ until: 1_500, paused: false });
    expect(slots.limitOf("a")).toBe(4);
    // Repeated: the pause doubles up to its ceiling, the limit never falls below one.
    expect(slots.rateLimited("a", 2_000).until).toBe(3_000);
    expect(slots.rateLimited("a", 3_000).until).toBe(5_000);
    expect(slots.rateLimited("a", 5_000).until).toBe(9_000);
    expect(slots.rateLimited("a", 9_000).until).toBe(13_000);
    expect(slots.limitOf("a")).toBe(1);
    for (let i = 0; i < 1 + 2 + 3 + 4 + 5 + 6 + 7; i++) slots.succeeded("a");
    expect(slots.limitOf("a")).toBe(8);
  });

  test("a pause's end stays due until the worker has looked for the dealer's rows after it", () => {
    const slots = new DealerSlots(8, { firstMs: 500, maxMs: 4_000 });
    slots.rateLimited("a", 1_000);
    expect(slots.nextResumeAt()).toBe(1_500);
    // Woken for something else after the pause ended: the dealer's rows are still to be looked for.
    expect(slots.nextResumeAt()).toBe(1_500);
    slots.looked(1_400);
    expect(slots.nextResumeAt()).toBe(1_500);
    slots.looked(1_600);
    expect(slots.nextResumeAt()).toBe(Infinity);
    // The next "too many requests" still doubles the pause.
    expect(slots.rateLimited("a", 1_700).until).toBe(2_700);
  });

  test("an idle dealer leaves no state behind", () => {
    const slots = new DealerSlots(4);
    for (let i = 0; i < 1000; i++) {
      slots.tryTake(`dealer-${i}`, 0);
      slots.succeeded(`dealer-${i}`);
      slots.release(`dealer-${i}`);
    }
    expect(slots.size).toBe(0);
  });
});

describe("DealerCircuits", () => {
  const options = { failuresToOpen: 3, openMs: 1_000, maxOpenMs: 8_000 };

  test("opens after N failures in a row, lets one probe through after the pause, closes on its success", () => {
    const circuits = new DealerCircuits(options);
    expect(circuits.failure("a", "navixy", "refused", 0)).toBeNull();
    expect(circuits.failure("a", "navixy", "refused", 0)).toBeNull();
    const opened = circuits.failure("a", "navixy", "connection refused", 0);
    expect(opened).toMatchObject({ dealerId: "a", state: "open", reason: "connection refused", failures: 3 });
    expect(opened!.retryAt!.getTime()).toBe(1_000);
    expect(circuits.allows("a", 999)).toBe(false);
    expect(circuits.blocked(999)).toEqual(["a"]);
    expect(circuits.allows("b", 999)).toBe(true);
    // The pause is over: one probe, and only one.
    expect(circuits.state("a", 1_000)).toBe("half_open");
    expect(circuits.allows("a", 1_000)).toBe(true);
    circuits.started("a", 1_000);
    expect(circuits.allows("a", 1_000)).toBe(false);
    expect(circuits.blocked(1_000)).toEqual(["a"]);
    expect(circuits.success("a", "navixy")).toMatchObject({ dealerId: "a", state: "closed" });
    expect(circuits.allows("a", 1_000)).toBe(true);
    expect(circuits.size).toBe(0);
  });

  test("a failed probe opens it again for twice as long, up to the ceiling", () => {
    const circuits = new DealerCircuits(options);
    for (let i = 0; i < 3; i++) circuits.failure("a", "navixy", "timeout", 0);
    let now = 1_000;
    for (const pause of [2_000, 4_000, 8_000, 8_000]) {
      circuits.started("a", now);
      const change = circuits.failure("a", "navixy", "timeout", now);
      expect(change!.retryAt!.getTime() - now).toBe(pause);
      now += pause;
    }
  });

  test("a success before the threshold forgets the failures", () => {
    const circuits = new DealerCircuits(options);
    circuits.failure("a", "navixy", "x", 0);
    circuits.failure("a", "navixy", "x", 0);
    expect(circuits.success("a", "navixy")).toBeNull();
    expect(circuits.failure("a", "navixy", "x", 0)).toBeNull();
    expect(circuits.failure("a", "navixy", "x", 0)).toBeNull();
    expect(circuits.state("a", 0)).toBe("closed");
  });

  test("failures of rows already under way when it opened do not extend the pause", () => {
    const circuits = new DealerCircuits(options);
    for (let i = 0; i < 3; i++) circuits.failure("a", "navixy", "x", 0);
    expect(circuits.failure("a", "navixy", "x", 500)).toBeNull();
    expect(circuits.allows("a", 1_000)).toBe(true);
  });
  test("a probe stays due until the worker has looked for the dealer's rows after the pause, and again after a probe that said nothing", () => {
    const circuits = new DealerCircuits(options);
    for (let i = 0; i < 3; i++) circuits.failure("a", "navixy", "refused", 0);
    expect(circuits.nextProbeAt()).toBe(1_000);
    // Woken for something else just after the pause ended: the probe is still due (a wait of 0, not forever).
    expect(circuits.nextProbeAt()).toBe(1_000);
    circuits.looked(1_200);
    expect(circuits.nextProbeAt()).toBe(Infinity);
    // The probe started and finished without a verdict (e.g. its row was not due): due again at the next look.
    circuits.started("a", 1_400);
    expect(circuits.nextProbeAt()).toBe(Infinity);
    circuits.neutral("a");
    expect(circuits.nextProbeAt()).toBe(1_000);
    // A failed probe: due when the doubled pause ends.
    circuits.looked(1_500);
    circuits.started("a", 1_600);
    circuits.failure("a", "navixy", "refused", 1_600);
    expect(circuits.nextProbeAt()).toBe(3_600);
    // A look made before the pause ended does not count.
    circuits.looked(2_000);
    expect(circuits.nextProbeAt()).toBe(3_600);
  });

  test("a dealer's Stripe answering neither closes a circuit its Navixy's failures opened nor forgets them", () => {
    const circuits = new DealerCircuits(options);
    circuits.failure("a", "navixy", "refused", 0);
    circuits.failure("a", "navixy", "refused", 0);
    // A stored event worked against Stripe between two refused credits: still two in a row.
    expect(circuits.success("a", "stripe")).toBeNull();
    expect(circuits.failure("a", "navixy", "refused", 0)).toMatchObject({ state: "open", failures: 3 });
    // The probe after the pause happens to be a Stripe event: it is worked, the circuit stays open, and the next
    // look probes again.
    circuits.looked(1_000);
    circuits.started("a", 1_000);
    expect(circuits.success("a", "stripe")).toBeNull();
    expect(circuits.state("a", 1_000)).toBe("half_open");
    expect(circuits.allows("a", 1_000)).toBe(true);
    expect(circuits.nextProbeAt()).toBe(1_000);
    // Navixy answering closes it.
    circuits.started("a", 1_100);
    expect(circuits.success("a", "navixy")).toMatchObject({ state: "closed", failures: 3 });
    expect(circuits.size).toBe(0);
  });

  test("the worker's own failures are closed by any service answering; failures of another service start a new count", () => {
    const circuits = new DealerCircuits(options);
    for (let i = 0; i < 3; i++) circuits.failure("a", "worker", "database", 0);
    expect(circuits.success("a", "stripe")).toMatchObject({ state: "closed" });
    circuits.failure("a", "stripe", "500", 0);
    circuits.failure("a", "stripe", "500", 0);
    expect(circuits.failure("a", "navixy", "refused", 0)).toBeNull();
    expect(circuits.state("a", 0)).toBe("closed");
  });

  test("a look that left the dealer out (its probe was under way when the look began) does not count as looking after the pause", () => {
    const circuits = new DealerCircuits(options);
    for (let i = 0; i < 3; i++) circuits.failure("a", "navixy", "refused", 0);
    circuits.started("a", 1_000);
    // A look begins while the probe is under way: the dealer is left out of it.
    const leftOut = circuits.blocked(1_050);
    expect(leftOut).toEqual(["a"]);
    // The probe ends without a verdict before that look ends.
    circuits.neutral("a");
    circuits.looked(1_100, leftOut);
    expect(circuits.nextProbeAt()).toBe(1_000);
    // The next look includes it.
    circuits.looked(1_200, circuits.blocked(1_200));
    expect(circuits.nextProbeAt()).toBe(Infinity);
  });
});
