// Finding out whether a balance movement whose outcome is unknown reached Navixy: our reference is searched
// in the user's Navixy transactions. Two things make that harder than one call:
// - transaction/list refuses a span over about a month (code 211) and its answer may be cut at a limit, so a
//   user with a long history, or an old movement, needs narrow windows around each attempt and paging;
// - any answer short of a complete list of the right windows proves nothing: "could not look" is unknown,
//   never "not there".
import { findTransactionByReference, type NavixyTransaction } from "../../navixy";

/** Navixy does not document the time zone of transaction/list dates: ±15 h covers UTC−12…UTC+14 and clock skew. */
export const ZONE_MARGIN_MS = 15 * 3600_000;
/** Navixy refuses spans over a month (211); stay well inside it. */
export const MAX_SPAN_MS = 28 * 24 * 3600_000;
/** Transactions asked for per request; a full page means the window may hold more, and is split. */
export const PAGE_LIMIT = 1000;

export interface Window {
  from: Date;
  to: Date;
}

/** A call of ours that may have moved the balance: when it started, and how long it may have been in flight. */
export interface MoneyAttempt {
  startedAt: Date;
  /** How long it was (or may have been) in flight. */
  durationMs: number;
}

/**
 * The windows to search: around each attempt (its start to its end, widened by the zone margin), merged where
 * they overlap and cut to spans Navixy accepts. Without a recorded attempt (a row from before attempts were
 * recorded), the whole life of the movement is searched.
 */
export function lookupWindows(attempts: readonly MoneyAttempt[], fallback: { createdAt: Date; now: Date }): Window[] {
  const spans: [number, number][] =
    attempts.length > 0
      ? attempts.map((a) => [a.startedAt.getTime() - ZONE_MARGIN_MS, a.startedAt.getTime() + a.durationMs + ZONE_MARGIN_MS])
      : [[fallback.createdAt.getTime() - ZONE_MARGIN_MS, fallback.now.getTime() + ZONE_MARGIN_MS]];
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of spans) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  const windows: Window[] = [];
  // Newest first: the most recent attempt is the likeliest to have applied.
  for (const [from, to] of merged.reverse()) {
    for (let end = to; end > from; end -= MAX_SPAN_MS) {
      windows.push({ from: new Date(Math.max(from, end - MAX_SPAN_MS)), to: new Date(end) });
    }
  }
  return windows;
}

export type ListTransactions = (window: Window & { limit: number }) => Promise<NavixyTransaction[]>;

export interface LookupResult {
  match: NavixyTransaction | undefined;
  /** Requests made, for the call log. */
  requests: number;
}

/** Navixy's dates have one-second precision: a window narrower than that cannot be split further. */
const SECOND = 1000;

/**
 * Searches the windows for a transaction carrying `reference` with the movement's sign. A full page is split in
 * two halves by time and each searched, so no transaction is missed whatever the order or cut-off of Navixy's
 * answer. Throws `LookupIncomplete` when a window cannot be read completely; errors of Navixy pass through.
 */
export async function searchTransactions(
  list: ListTransactions,
  windows: readonly Window[],
  q: { reference: string; sign: 1 | -1 },
): Promise<LookupResult> {
  let requests = 0;
  const search = async (w: Window): Promise<NavixyTransaction | undefined> => {
    requests++;
    const page = await list({ ...w, limit: PAGE_LIMIT });
    const match = findTransactionByReference(page, q);
    if (match || page.length < PAGE_LIMIT) return match;
    const span = w.to.getTime() - w.from.getTime();
    if (span <= SECOND) throw new LookupIncomplete(`more than ${PAGE_LIMIT} transactions within one second at ${w.from.toISOString()}`);
    const mid = new Date(w.from.getTime() + Math.max(SECOND, Math.floor(span / 2 / SECOND) * SECOND));
    // Newer half first; the boundary second is in both halves, which costs nothing but a duplicate row.
    return (await search({ from: mid, to: w.to })) ?? (await search({ from: w.from, to: mid }));
  };
  for (const w of windows) {
    const match = await search(w);
    if (match) return { match, requests };
  }
  return { match: undefined, requests };
}

export class LookupIncomplete extends Error {
  override readonly name = "LookupIncomplete";
}
