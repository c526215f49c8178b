import { describe, expect, test } from "vitest";
import { dayOf, daysOf, periodOfDays, startOfDay } from "./period";

describe("periods of the books", () => {
  test("a UTC day is midnight to midnight", () => {
    const p = periodOfDays("2026-12-06");
    expect([p.start.toISOString(), p.end.toISOString(), p.label]).toEqual(["2026-12-06T00:00:00.000Z", "2026-12-07T00:00:00.000Z", "2026-12-06"]);
  });

  test("a day in the dealer's time zone, across daylight saving changes", () => {
    expect(startOfDay("2026-12-06", "Europe/Berlin").toISOString()).toBe("2026-12-05T23:00:00.000Z");
    expect(startOfDay("2026-07-06", "Europe/Berlin").toISOString()).toBe("2026-07-05T22:00:00.000Z");
    expect(startOfDay("2026-12-06", "America/New_York").toISOString()).toBe("2026-12-06T05:00:00.000Z");
    expect(startOfDay("2026-12-06", "Asia/Kolkata").toISOString()).toBe("2026-12-05T18:30:00.000Z");
    // The spring-forward day in Berlin has 23 hours, the fall-back day 25.
    const spring = periodOfDays("2026-03-29", "2026-03-29", "Europe/Berlin");
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3600_000);
    const fall = periodOfDays("2026-10-25", "2026-10-25", "Europe/Berlin");
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * 3600_000);
    expect(dayOf(new Date("2026-12-05T23:30:00Z"), "Europe/Berlin")).toBe("2026-12-06");
  });

  test("spans of days, and bad input refused", () => {
    const month = periodOfDays("2026-12-01", "2026-12-31");
    expect(month.label).toBe("2026-12-01..2026-12-31");
    expect(month.end.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(daysOf("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(() => periodOfDays("2026-13-01")).toThrow(RangeError);
    expect(() => periodOfDays("2026-02-30")).toThrow(RangeError);
    expect(() => periodOfDays("06.12.2026")).toThrow(RangeError);
    expect(() => periodOfDays("2026-12-06", "2026-12-05")).toThrow(RangeError);
    expect(() => periodOfDays("2026-12-06", "2026-12-06", "Mars/Olympus")).toThrow(RangeError);
  });
});
