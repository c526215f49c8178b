// The table's cells, and the order in which two compared sides run.
import type { Summary } from "./stats";

export const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");
export const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");
export const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "–");
export const lat = (s: Summary) => `${f1(s.p50)} / ${f1(s.p95)} / ${f1(s.p99)}`;
export const pass = (ok: boolean) => (ok ? "PASS" : "**FAIL**");
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One row of the table: measure, unit, gateway, floor / baseline, ratio, target, result. */
export type Row = (measure: string, unit: string, gateway: string, baseline: string, ratio: string, target: string, result: string) => void;

/**
 * Runs `a` then `b` in even rounds and `b` then `a` in odd ones, returning their results as [a, b]: whatever
 * drifts over a run (the machine, the other processes, the page cache) then falls on both sides alike.
 */
export async function inAlternatingOrder<A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (round % 2 === 0) {
    const ra = await a();
    return [ra, await b()];
  }
  const rb = await b();
  return [await a(), rb];
}
