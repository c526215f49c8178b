import { expect, test } from "vitest";
import { DeliveryGiveWay } from "./give-way";

test("holds back while a burst lasts, for one stretch of at most maxHoldMs, and again once bursts have paused", () => {
  let busy = false;
  let now = 1_000;
  const giveWay = new DeliveryGiveWay(() => busy, 1_000, 500, () => now);
  expect(giveWay.holdBack()).toBe(false);
  busy = true;
  expect(giveWay.holdBack()).toBe(true);
  now += 999;
  expect(giveWay.holdBack()).toBe(true);
  // The burst did not end: the worker works at its usual pace for as long as it lasts.
  now += 1;
  expect(giveWay.holdBack()).toBe(false);
  now += 60_000;
  expect(giveWay.holdBack()).toBe(false);
  // A short pause does not start a new stretch.
  busy = false;
  expect(giveWay.holdBack()).toBe(false);
  now += 100;
  busy = true;
  expect(giveWay.holdBack()).toBe(false);
  // Bursts paused long enough: the next one is answered first again.
  busy = false;
  expect(giveWay.holdBack()).toBe(false);
  now += 500;
  expect(giveWay.holdBack()).toBe(false);
  busy = true;
  now += 10;
  expect(giveWay.holdBack()).toBe(true);
});

test("bursts with short pauses between them add up to one stretch", () => {
  let busy = false;
  let now = 1_000;
  const giveWay = new DeliveryGiveWay(() => busy, 1_000, 500, () => now);
  for (let i = 0; i < 3; i++) {
    busy = true;
    expect(giveWay.holdBack()).toBe(true);
    now += 300; // 300 ms of burst
    expect(giveWay.holdBack()).toBe(true);
    busy = false;
    expect(giveWay.holdBack()).toBe(false);
    now += 200; // a pause shorter than quietMs
  }
  // 900 ms held so far: 100 ms more of burst, then it stops holding back.
  busy = true;
  expect(giveWay.holdBack()).toBe(true);
  now += 99;
  expect(giveWay.holdBack()).toBe(true);
  now += 1;
  expect(giveWay.holdBack()).toBe(false);
});
