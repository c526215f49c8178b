import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/admin/Badge";
import { fmtTime } from "@/components/admin/format";
import { alertsView, operationsView, type IncidentView } from "@/lib/admin/alerts";
import { requireAdminPage } from "@/lib/admin/page-session";

export const metadata: Metadata = { title: "Alerts" };

function Incident({ incident }: { incident: IncidentView }) {
  return (
    <li className="panel" data-testid="incident" data-kind={incident.kind} data-state={incident.state}>
      <h3 style={{ marginTop: 0 }}>
        {incident.title}{" "}
        <Badge value={incident.state === "resolved" ? "applied" : incident.state === "pending" ? "pending" : "failed"} text={incident.state} />
      </h3>
      <p>{incident.summary}</p>
      <p className="muted">
        Seen {fmtTime(incident.firstSeenAt)}
        {incident.openedAt && <> · told {fmtTime(incident.openedAt)}</>}
        {incident.reminders > 0 && <> · {incident.reminders} reminder(s)</>}
        {incident.resolvedAt && <> · resolved {fmtTime(incident.resolvedAt)}</>}
        {" · "}
        <span className="mono">{incident.id}</span>
      </p>
      {incident.state !== "resolved" && (
        <p>
          <strong>What to do:</strong> {incident.action} <Link href={incident.consolePath}>Open</Link>
        </p>
      )}
      {incident.deliveries.length > 0 && (
        <div className="table-wrap">
          <table className="admin-table">
            <caption>Messages</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Channel</th>
                <th scope="col">State</th>
                <th scope="col">Sent / next try</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {incident.deliveries.map((d, i) => (
                <tr key={i} data-testid="alert-delivery" data-state={d.state}>
                  <td>{d.event}</td>
                  <td>{d.channel}</td>
                  <td>
                    <Badge value={d.state === "sent" ? "applied" : d.state === "failed" ? "failed" : "pending"} text={d.state} />
                  </td>
                  <td>{d.sentAt ? fmtTime(d.sentAt) : d.state === "pending" ? `${fmtTime(d.nextAttemptAt)} (attempt ${d.attempts + 1})` : ""}</td>
                  <td>{d.lastError ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </li>
  );
}

export default async function AlertsPage() {
  const { services } = await requireAdminPage();
  const [{ live, recent }, ops] = await Promise.all([alertsView(services), operationsView(services)]);
  return (
    <>
      <h1>Alerts</h1>
      <p className="muted" data-testid="alert-channels">
        {ops.channels.length === 0
          ? "No alert channel is set up for this dealer (ALERT_EMAIL_TO with ALERT_SMTP_URL, or ALERT_WEBHOOK_URL): incidents are only shown here and in the audit log."
          : `Alerts are sent by ${ops.channels.join(" and ")}: one message per incident, a reminder while it lasts, and one when it clears.`}
      </p>
      <h2>Open</h2>
      {live.length === 0 ? <p className="panel">No open incident.</p> : null}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="alerts-open">
        {live.map((i) => (
          <Incident key={i.id} incident={i} />
        ))}
      </ul>
      <h2>Recently resolved</h2>
      {recent.length === 0 ? <p className="panel">None.</p> : null}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="alerts-recent">
        {recent.map((i) => (
          <Incident key={i.id} incident={i} />
        ))}
      </ul>
    </>
  );
}
