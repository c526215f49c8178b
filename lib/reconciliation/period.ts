// Periods of the books: whole days in the dealer's time zone (UTC by default), from one day to a span of days.

export interface Period {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
  /** "2026-12-06", or "2026-12-01..2026-12-31". */
  label: string;
  timeZone: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at that instant, in ms (positive east of Greenwich). */
function offsetAt(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function parseDay(day: string): { y: number; m: number; d: number } {
  const match = DAY.exec(day);
  if (!match) throw new RangeError(`"${day}" is not a date (YYYY-MM-DD)`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) throw new RangeError(`"${day}" is not a date`);
  return { y, m, d };
}

/** The instant a day starts in the zone (midnight; DST changes happen later in the night everywhere that has them). */
export function startOfDay(day: string, zone: string): Date {
  const { y, m, d } = parseDay(day);
  const guess = Date.UTC(y, m - 1, d);
  let start = guess - offsetAt(guess, zone);
  start = guess - offsetAt(start, zone);
  return new Date(start);
}

function nextDay(day: string): string {
  const { y, m, d } = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The days from `from` to `to` (inclusive) in the zone. */
export function periodOfDays(from: string, to: string = from, zone = "UTC"): Period {
  if (!isValidTimeZone(zone)) throw new RangeError(`"${zone}" is not a time zone`);
  const start = startOfDay(from, zone);
  const end = startOfDay(nextDay(to), zone);
  if (end <= start) throw new RangeError(`${to} is before ${from}`);
  return { start, end, label: from === to ? from : `${from}..${to}`, timeZone: zone };
}

/** The day an instant falls on in the zone, "YYYY-MM-DD". */
export function dayOf(instant: Date, zone: string): string {
  return new Date(instant.getTime() + offsetAt(instant.getTime(), zone)).toISOString().slice(0, 10);
}

/** Every day of a period, in order (labels). */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = nextDay(day)) out.push(day);
  return out;
}
