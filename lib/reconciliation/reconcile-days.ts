// Reconciling a span of days, one run per day in the dealer's time zone: what the operator's command prints and the
// exit code it ends with (0 balanced, 1 differences, 2 a source could not be read).
import { formatMoney } from "../money";
import type { Services } from "../server/services";
import { daysOf, periodOfDays } from "./period";
import { reconcilePeriod } from "./run";
import { SourceUnavailable } from "./sources";
import type { ReconciliationResult } from "./types";

/** The JSON `npm run payments -- reconcile --json` prints (README, "Reconciliation and accounting"). */
export interface DaysReport {
  dealerId: string;
  timeZone: string;
  from: string;
  to: string;
  balanced: boolean;
  days: ReconciliationResult[];
  /** Set when a source could not be read: the days before it are in `days`; the rest continue when run again. */
  error?: { source: "stripe" | "navixy" | "busy"; message: string; day: string };
}

export interface DaysOutcome {
  report: DaysReport;
  lines: string[];
  unreadable?: string;
  exitCode: 0 | 1 | 2;
}

export function dealerTimeZone(services: Services): string {
  return services.config.reconciliation.timeZone;
}

const MAX_DAYS = 366;

export async function reconcileDays(services: Services, opts: { from: string; to: string; again?: boolean }): Promise<DaysOutcome> {
  const timeZone = dealerTimeZone(services);
  periodOfDays(opts.from, opts.to, timeZone); // validates both dates and their order
  const days = daysOf(opts.from, opts.to);
  if (days.length > MAX_DAYS) throw new RangeError(`at most ${MAX_DAYS} days at once`);
  const report: DaysReport = { dealerId: services.dealer.id, timeZone, from: opts.from, to: opts.to, balanced: true, days: [] };
  const lines: string[] = [];
  for (const day of days) {
    try {
      const outcome = await reconcilePeriod(services, periodOfDays(day, day, timeZone), { again: opts.again ?? false });
      if (outcome.state !== "finished") {
        // Another process is working this day's run right now.
        report.balanced = false;
        report.error = { source: "busy", message: `the run ${outcome.runId} of ${day} is being worked by another process`, day };
        return { report, lines, unreadable: `${day}: ${report.error.message}; try again in a minute`, exitCode: 2 };
      }
      const result = outcome.result;
      report.days.push(result);
      if (!result.balanced) report.balanced = false;
      lines.push(...describeDay(result));
    } catch (error) {
      if (!(error instanceof SourceUnavailable)) throw error;
      report.balanced = false;
      report.error = { source: error.source, message: error.message, day };
      return { report, lines, unreadable: `${day}: ${error.message} (what was read is kept; run it again to continue)`, exitCode: 2 };
    }
  }
  return { report, lines, exitCode: report.balanced ? 0 : 1 };
}

function describeDay(result: ReconciliationResult): string[] {
  const totals = Object.entries(result.totals)
    .map(([currency, t]) =>
      [
        `${t.payments} payments`,
        `gross ${formatMoney(t.gross, currency)}`,
        `fees ${formatMoney(t.fees, currency)}`,
        `net ${formatMoney(t.net, currency)}`,
        `credited ${formatMoney(t.credited, currency)}`,
        `debited ${formatMoney(t.debited, currency)}`,
      ].join(", "),
    )
    .join("; ");
  const head = `${result.label}: ${result.balanced ? "balanced" : `${result.differences.length} difference${result.differences.length === 1 ? "" : "s"}`}${totals ? ` (${totals})` : ""}`;
  return [
    head,
    ...result.differences.map(
      (d) =>
        `  ${d.class}  ${formatMoney(d.amount, d.currency)}  ${[d.paymentId, d.stripeId, d.movementId, d.navixyUserId && `user ${d.navixyUserId}`].filter(Boolean).join(" ")}\n    ${d.detail}\n    → ${d.action}`,
    ),
  ];
}
