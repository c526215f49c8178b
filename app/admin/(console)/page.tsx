import type { Metadata } from "next";
import Link from "next/link";
import { Flash } from "@/components/admin/Flash";
import { VolumeChart } from "@/components/admin/VolumeChart";
import { overview } from "@/lib/admin/overview";
import { dealerBackoff } from "@/lib/admin/backoff";
import { ago, fmtTime } from "@/components/admin/format";
import { operationsView } from "@/lib/admin/alerts";
import { requireAdminPage } from "@/lib/admin/page-session";
import { formatMoney } from "@/lib/money";
import { needsAttention } from "@/lib/payments/attention";

export const metadata: Metadata = { title: "Overview" };

const pct = (r: number | null) => (r === null ? "–" : `${(r * 100).toFixed(1)} %`);

export default async function OverviewPage() {
  const { services } = await requireAdminPage();
  const attention = await needsAttention(services);
  const data = await overview(services, new Date(), attention.length);
  const backoff = await dealerBackoff(services);
  const { ops, worker } = await operationsView(services);
  const openAlerts = Object.values(ops.alertsOpen).reduce<number>((a, n) => a + (n ?? 0), 0);
  const main = data.currencies[0];
  return (
    <>
      <h1>Overview</h1>
      <Flash />
      {backoff && (
        <p className="flash" data-kind="error" role="status" data-testid="backoff-notice">
          Crediting is paused since {fmtTime(backoff.since)}: this dealer&apos;s Navixy or Stripe stopped answering ({backoff.reason ?? "no answer"}).
          {backoff.retryAt && <> The worker tries again at {fmtTime(backoff.retryAt)}.</>} Owed credits wait and are sent, once each, as soon as it
          answers.
        </p>
      )}
      <p className="panel" data-testid="attention-summary">
        {attention.length === 0 ? (
          "Nothing needs attention."
        ) : (
          <Link href="/admin/attention">
            {attention.length} item{attention.length === 1 ? " needs" : "s need"} attention
          </Link>
        )}
      </p>
      <section className="panel" aria-labelledby="operations-heading" data-testid="operations">
        <h2 id="operations-heading" style={{ marginTop: 0 }}>
          Right now
        </h2>
        <dl className="stat-list">
          <dt>Credits owed to Navixy</dt>
          <dd data-testid="ops-credits-owed">
            {ops.owed.credit}
            {ops.owedOldestAt && <span className="muted"> (oldest {ago(ops.owedOldestAt)})</span>}
          </dd>
          <dt>Refund debits owed</dt>
          <dd>{ops.owed.debit}</dd>
          <dt>Stripe events waiting</dt>
          <dd data-testid="ops-events-waiting">
            {ops.eventsWaiting}
            {ops.eventsOldestAt && <span className="muted"> (oldest {ago(ops.eventsOldestAt)})</span>}
          </dd>
          <dt>Backed off</dt>
          <dd data-testid="ops-backed-off">{ops.backoff ? `yes, since ${fmtTime(ops.backoff.since)}` : "no"}</dd>
          <dt>Open alerts</dt>
          <dd data-testid="ops-open-alerts">{openAlerts === 0 ? "none" : <Link href="/admin/alerts">{openAlerts}</Link>}</dd>
          <dt>Worker</dt>
          <dd data-testid="ops-worker">
            {worker.here ? "running in this instance" : worker.running ? `running (seen ${ago(worker.seenAt)} ago)` : worker.seenAt ? `not seen for ${ago(worker.seenAt)}` : "not seen"}
          </dd>
        </dl>
        <p className="muted" style={{ marginBottom: 0 }}>
          The same figures as the metrics (GET /metrics), read at most every 5 seconds.
        </p>
      </section>
      <div className="grid">
        {data.ranges.map((range) => (
          <section className="panel" key={range.label} aria-labelledby={`range-${range.days}`} data-testid={`range-${range.days}`}>
            <h2 id={`range-${range.days}`} style={{ marginTop: 0 }}>
              {range.label}
            </h2>
            {range.totals.length === 0 && <p className="muted">No payments.</p>}
            {range.totals.map((t) => (
              <dl className="stat-list" key={t.currency}>
                {range.totals.length > 1 && (
                  <>
                    <dt>Currency</dt>
                    <dd>{t.currency.toUpperCase()}</dd>
                  </>
                )}
                <dt>Collected</dt>
                <dd>{formatMoney(t.collected, t.currency)}</dd>
                <dt>Credited</dt>
                <dd>{formatMoney(t.credited, t.currency)}</dd>
                <dt>Refunded</dt>
                <dd>{formatMoney(t.refunded, t.currency)}</dd>
                <dt>Payments</dt>
                <dd>{t.payments}</dd>
                <dt>Success rate</dt>
                <dd>{pct(t.successRate)}</dd>
              </dl>
            ))}
          </section>
        ))}
      </div>
      <section className="panel" aria-labelledby="volume-heading">
        <h2 id="volume-heading" style={{ marginTop: 0 }}>
          Daily volume
        </h2>
        {main ? (
          data.currencies.map((c) => <VolumeChart key={c} days={data.daily} currency={c} />)
        ) : (
          <p className="muted">No payments in the last 30 days.</p>
        )}
      </section>
      <p className="muted">
        Figures are for payments created in each period (UTC days). Success rate: paid payments out of those that reached an outcome (paid, failed,
        canceled or abandoned).
      </p>
    </>
  );
}
