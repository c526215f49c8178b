// Daily volume as a server-rendered SVG bar chart: amounts on a labelled axis with grid lines and days along the
// bottom, so it reads without the table; a title and description for screen readers, and the same numbers in a
// table under a disclosure.
import { currencyExponent, formatMoney } from "@/lib/money";
import type { DayVolume } from "@/lib/admin/overview";

/** A round step (1, 2, 2.5 or 5 × a power of ten, in major units) that splits `max` into about `parts` parts. */
export function axisStep(maxMajor: number, parts = 4): number {
  if (maxMajor <= 0) return 1;
  const rough = maxMajor / parts;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return step;
}

/** An axis label: "€250", "€2.50", "¥5,000". */
function axisMoney(major: number, currency: string): string {
  const whole = Number.isInteger(major);
  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 }).format(major);
}

export function VolumeChart({ days, currency }: { days: DayVolume[]; currency: string }) {
  const data = days.filter((d) => d.currency === currency);
  const unit = 10 ** currencyExponent(currency);
  const maxMinor = Math.max(0, ...data.map((d) => d.collected));
  const step = axisStep(maxMinor / unit);
  const ticks = Array.from({ length: Math.max(1, Math.ceil(maxMinor / unit / step)) + 1 }, (_, i) => i * step);
  const top = ticks[ticks.length - 1]! * unit;
  const W = 720;
  const H = 240;
  const pad = { left: 64, right: 8, top: 12, bottom: 28 };
  const innerH = H - pad.top - pad.bottom;
  const slot = (W - pad.left - pad.right) / Math.max(1, data.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (minor: number) => H - pad.bottom - (minor / top) * innerH;
  const total = data.reduce((s, d) => s + d.collected, 0);
  const best = data.reduce<DayVolume | undefined>((b, d) => (!b || d.collected > b.collected ? d : b), undefined);
  const titleId = `chart-title-${currency}`;
  const descId = `chart-desc-${currency}`;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="volume-chart">
        <title id={titleId}>{`Amount collected per day, last ${data.length} days (${currency})`}</title>
        <desc id={descId}>
          {`Total ${formatMoney(total, currency)}.${best && best.collected > 0 ? ` Highest on ${best.day}: ${formatMoney(best.collected, currency)}.` : " No payments collected."}`}
        </desc>
        {ticks.map((t) => (
          <g key={`y-${t}`} data-testid="y-tick">
            <line className={t === 0 ? "axis" : "grid"} x1={pad.left} x2={W - pad.right} y1={y(t * unit)} y2={y(t * unit)} />
            <text x={pad.left - 6} y={y(t * unit) + 4} textAnchor="end">
              {axisMoney(t, currency)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const h = (d.collected / top) * innerH;
          const x = pad.left + i * slot + (slot - barW) / 2;
          return (
            <rect key={d.day} className="bar" x={x} y={H - pad.bottom - h} width={barW} height={Math.max(h, d.collected > 0 ? 1 : 0)} rx={2}>
              <title>{`${d.day}: ${formatMoney(d.collected, currency)}, ${d.payments} payments`}</title>
            </rect>
          );
        })}
        {data.map((d, i) =>
          (i % 7 === 0 && i < data.length - 3) || i === data.length - 1 ? (
            <text key={`l-${d.day}`} x={pad.left + i * slot + slot / 2} y={H - 8} textAnchor="middle" data-testid="x-tick">
              {d.day.slice(5)}
            </text>
          ) : null,
        )}
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <div className="table-wrap">
          <table className="admin-table">
            <caption>Daily volume ({currency})</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">Payments</th>
                <th scope="col" className="num">Collected</th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td className="num">{d.payments}</td>
                  <td className="num">{formatMoney(d.collected, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
