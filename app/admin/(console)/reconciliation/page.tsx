import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/admin/Badge";
import { FormBasics } from "@/components/admin/CsrfField";
import { Flash } from "@/components/admin/Flash";
import { requireAdminPage } from "@/lib/admin/page-session";
import { reconciliationCalendar, reconciliationOfDay, type CalendarDay } from "@/lib/admin/reconciliation";
import { formatMoney } from "@/lib/money";

export const metadata: Metadata = { title: "Reconciliation" };

const STATE_TEXT: Record<CalendarDay["state"], string> = {
  balanced: "balanced",
  differences: "differences",
  running: "running",
  not_reconciled: "not reconciled",
  not_ended: "not ended",
};
const STATE_TONE: Record<CalendarDay["state"], string> = {
  balanced: "succeeded",
  differences: "failed",
  running: "pending",
  not_reconciled: "refunded",
  not_ended: "canceled",
};

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { session, services } = await requireAdminPage();
  const params = await searchParams;
  const month = typeof params.month === "string" ? params.month : undefined;
  const day = typeof params.day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(params.day) ? params.day : undefined;
  const calendar = await reconciliationCalendar(services, month ?? day?.slice(0, 7));
  if (!calendar) return <p className="panel">That is not a month (YYYY-MM).</p>;
  const result = day ? await reconciliationOfDay(services, day) : null;
  const back = `/admin/reconciliation?day=${day ?? ""}`;
  return (
    <>
      <h1>Reconciliation</h1>
      <Flash />
      <p className="muted">
        Each day (midnight to midnight, {calendar.timeZone}), Stripe&apos;s balance transactions, the ledger and the Navixy transactions of every user
        touched are matched by PaymentIntent, charge, refund and movement. The worker reconciles each ended day in the night.
      </p>
      <section className="panel">
        <h2 style={{ marginTop: 0 }}>
          <Link href={`/admin/reconciliation?month=${shiftMonth(calendar.month, -1)}`} aria-label="Previous month">
            ‹
          </Link>{" "}
          {calendar.month}{" "}
          <Link href={`/admin/reconciliation?month=${shiftMonth(calendar.month, 1)}`} aria-label="Next month">
            ›
          </Link>
        </h2>
        <p>
          <a href={`/admin/reconciliation/books?month=${calendar.month}`} className="btn btn-secondary" data-testid="books-month">
            Books of {calendar.month} (CSV)
          </a>
        </p>
        <div className="table-wrap">
          <table className="admin-table" data-testid="reconciliation-calendar">
            <caption>Days of {calendar.month}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">State</th>
                <th scope="col">Differences</th>
              </tr>
            </thead>
            <tbody>
              {calendar.days.map((d) => (
                <tr key={d.day} data-day={d.day} data-state={d.state}>
                  <td>
                    <Link href={`/admin/reconciliation?day=${d.day}`} className="mono">
                      {d.day}
                    </Link>
                  </td>
                  <td>
                    <Badge value={STATE_TONE[d.state]} text={STATE_TEXT[d.state]} />
                    {d.lastError && <span className="muted"> {d.lastError}</span>}
                  </td>
                  <td>{d.state === "differences" ? d.differenceCount : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {day && (
        <section className="panel" data-testid="reconciliation-day" data-day={day}>
          <h2 style={{ marginTop: 0 }}>{day}</h2>
          <div className="actions-row">
            <form method="post" action="/admin/actions/reconcile">
              <FormBasics csrf={session.csrfToken} back={back} />
              <input type="hidden" name="day" value={day} />
              <button type="submit" className="btn">
                {result ? "Reconcile again" : "Reconcile now"}
              </button>
            </form>
            <a href={`/admin/reconciliation/books?day=${day}`} className="btn btn-secondary">
              Books of {day} (CSV)
            </a>
          </div>
          {!result && <p>Not reconciled yet.</p>}
          {result && (
            <>
              <p>
                {result.balanced ? <Badge value="succeeded" text="balanced" /> : <Badge value="failed" text={`${result.differences.length} differences`} />}{" "}
                <span className="muted">
                  Stripe transactions {result.read.stripeTransactions}, ledger movements {result.read.ledgerMovements}, Navixy users {result.read.navixyUsers}; reconciled{" "}
                  {result.finishedAt}
                </span>
              </p>
              <div className="table-wrap">
                <table className="admin-table" data-testid="reconciliation-totals">
                  <caption>Totals</caption>
                  <thead>
                    <tr>
                      <th scope="col">Currency</th>
                      <th scope="col">Payments</th>
                      <th scope="col">Gross</th>
                      <th scope="col">Stripe fees</th>
                      <th scope="col">Net</th>
                      <th scope="col">Refunded</th>
                      <th scope="col">Disputed</th>
                      <th scope="col">Credited</th>
                      <th scope="col">Debited</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(result.totals).map(([currency, t]) => (
                      <tr key={currency}>
                        <td>{currency.toUpperCase()}</td>
                        <td>{t.payments}</td>
                        <td>{formatMoney(t.gross, currency)}</td>
                        <td>{formatMoney(t.fees, currency)}</td>
                        <td>{formatMoney(t.net, currency)}</td>
                        <td>{formatMoney(t.refunded, currency)}</td>
                        <td>{formatMoney(t.disputed, currency)}</td>
                        <td>{formatMoney(t.credited, currency)}</td>
                        <td>{formatMoney(t.debited, currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="reconciliation-differences">
                {result.differences.map((d, i) => (
                  <li key={i} className="panel" data-class={d.class}>
                    <h3 style={{ marginTop: 0 }}>
                      {d.class.replaceAll("_", " ")} <Badge value="failed" text={formatMoney(d.amount, d.currency)} />
                    </h3>
                    <p>
                      {d.paymentId ? (
                        <>
                          Payment{" "}
                          <Link href={`/admin/payments/${d.paymentId}`} className="mono">
                            {d.paymentId}
                          </Link>{" "}
                        </>
                      ) : null}
                      {d.stripeId && <span className="mono">{d.stripeId} </span>}
                      {d.navixyUserId !== undefined && <span>· Navixy user {d.navixyUserId}</span>}
                    </p>
                    <p>{d.detail}</p>
                    {d.navixyTransaction && <p className="mono">{d.navixyTransaction}</p>}
                    <p>
                      <strong>What to do:</strong> {d.action}
                      {d.movementId && (
                        <>
                          {" "}
                          (<Link href="/admin/attention">Needs attention</Link> has the movement&apos;s retry and resolve)
                        </>
                      )}
                    </p>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
}
