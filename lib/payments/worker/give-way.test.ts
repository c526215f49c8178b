import { expect, test } from "vitest";
import { DeliveryGiveWay } from "./give-way";

test("holds back while deliveries arrive, for one stretch of at most maxHoldMs, and again after they pause", () => {
  let busy = false;
  let now = 1_000;
  const giveWay = new DeliveryGiveWay(() => busy, 1_000, () => now);
  expect(giveWay.holdBack()).toBe(false);
  busy = true;
  expect(giveWay.holdBack()).toBe(true);
  now += 999;
  expect(giveWay.holdBack()).toBe(true);
  // The flow did not stop: the worker works at its usual pace for as long as it lasts.
  now += 1;
  expect(giveWay.holdBack()).toBe(false);
  now += 60_000;
  expect(giveWay.holdBack()).toBe(false);
  // The deliveries paused: the next burst is answered first again.
  busy = false;
  expect(giveWay.holdBack()).toBe(false);
  busy = true;
  now += 10;
  expect(giveWay.holdBack()).toBe(true);
});
