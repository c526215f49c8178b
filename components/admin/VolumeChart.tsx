// Daily volume as a server-rendered SVG bar chart, with a title and description for screen readers and
// the same numbers in a table under a disclosure.
import { formatMoney } from "@/lib/money";
import type { DayVolume } from "@/lib/admin/overview";

export function VolumeChart({ days, currency }: { days: DayVolume[]; currency: string }) {
  const data = days.filter((d) => d.currency === currency);
  const max = Math.max(1, ...data.map((d) => d.collected));
  const W = 720;
  const H = 220;
  const pad = { left: 8, right: 8, top: 12, bottom: 28 };
  const innerH = H - pad.top - pad.bottom;
  const step = (W - pad.left - pad.right) / Math.max(1, data.length);
  const barW = Math.max(2, step * 0.7);
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
        <line className="axis" x1={pad.left} x2={W - pad.right} y1={H - pad.bottom} y2={H - pad.bottom} />
        {data.map((d, i) => {
          const h = (d.collected / max) * innerH;
          const x = pad.left + i * step + (step - barW) / 2;
          return (
            <rect key={d.day} className="bar" x={x} y={H - pad.bottom - h} width={barW} height={Math.max(h, d.collected > 0 ? 1 : 0)} rx={2}>
              <title>{`${d.day}: ${formatMoney(d.collected, currency)}, ${d.payments} payments`}</title>
            </rect>
          );
        })}
        {data.map((d, i) =>
          (i % 7 === 0 && i < data.length - 3) || i === data.length - 1 ? (
            <text key={`l-${d.day}`} x={pad.left + i * step + step / 2} y={H - 8} textAnchor="middle">
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
