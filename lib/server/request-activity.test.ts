import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { beginDelivery, deliveriesBusy } from "./request-activity";

beforeEach(() => vi.useFakeTimers({ toFake: ["performance"] }));
afterEach(() => vi.useRealTimers());

test("busy while a delivery is in flight and for the quiet period after the last one ends", () => {
  vi.advanceTimersByTime(1_000);
  expect(deliveriesBusy(5)).toBe(false);
  const first = beginDelivery();
  const second = beginDelivery();
  expect(deliveriesBusy(5)).toBe(true);
  first();
  first(); // answering twice counts once
  vi.advanceTimersByTime(100);
  expect(deliveriesBusy(5)).toBe(true); // the second is still in flight
  second();
  vi.advanceTimersByTime(4);
  expect(deliveriesBusy(5)).toBe(true);
  vi.advanceTimersByTime(2);
  expect(deliveriesBusy(5)).toBe(false);
});
