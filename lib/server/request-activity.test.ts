import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { beginDelivery, newEventsBursting, noteEventReceived, resetDeliveryActivityForTests } from "./request-activity";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["performance"] });
  resetDeliveryActivityForTests();
});
afterEach(() => vi.useRealTimers());

test("a burst is ten new events within the window; slower arrivals and none at all are not", () => {
  vi.advanceTimersByTime(1_000);
  expect(newEventsBursting(200)).toBe(false);
  // 20 a second (a steady flow the worker credits as it comes): never ten within 200 ms.
  for (let i = 0; i < 30; i++) {
    noteEventReceived(true);
    expect(newEventsBursting(200)).toBe(false);
    vi.advanceTimersByTime(50);
  }
  // After a pause, 300 a second: a burst from the tenth on.
  vi.advanceTimersByTime(1_000);
  for (let i = 0; i < 9; i++) {
    noteEventReceived(true);
    vi.advanceTimersByTime(3);
  }
  expect(newEventsBursting(200)).toBe(false);
  noteEventReceived(true);
  expect(newEventsBursting(200)).toBe(true);
  vi.advanceTimersByTime(150);
  expect(newEventsBursting(200)).toBe(true);
  // It ended: once the tenth-latest event is older than the window.
  vi.advanceTimersByTime(30);
  expect(newEventsBursting(200)).toBe(false);
});

test("deliveries queueing up with mostly new events are a burst however slowly they are answered; a redelivery flood is not", () => {
  vi.advanceTimersByTime(1_000);
  const inFlight = Array.from({ length: 8 }, () => beginDelivery());
  // Answered at 20 a second only (the process is behind), every event new: still a burst.
  for (let i = 0; i < 10; i++) {
    noteEventReceived(true);
    vi.advanceTimersByTime(50);
  }
  expect(newEventsBursting(200)).toBe(true);
  // Redeliveries of stored events, with a new one now and then (10 a second in 300 a second): not a burst.
  for (let i = 0; i < 30; i++) {
    noteEventReceived(i % 30 === 0);
    vi.advanceTimersByTime(3);
  }
  expect(newEventsBursting(200)).toBe(false);
  // Mostly new again, but no longer queueing: the rate alone decides (20 a second is not a burst).
  for (let i = 0; i < 10; i++) {
    noteEventReceived(true);
    vi.advanceTimersByTime(50);
  }
  expect(newEventsBursting(200)).toBe(true);
  for (const answered of inFlight.splice(0, 6)) answered();
  expect(newEventsBursting(200)).toBe(false);
  for (const answered of inFlight) answered();
});
