import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuthorizationForms, RefundForm, ResolveForm, RetryForm } from "@/components/admin/ActionForms";
import { Badge } from "@/components/admin/Badge";
import { Flash } from "@/components/admin/Flash";
import { NONE, declineText, fmtTime, label, methodText } from "@/components/admin/format";
import { actionText, actorText } from "@/lib/admin/audit-query";
import { paymentDetail, type TimelineItem } from "@/lib/admin/detail";
import { requireAdminPage, typedFormOf } from "@/lib/admin/page-session";
import { formatMoney } from "@/lib/money";

export const metadata: Metadata = { title: "Payment" };

/** applied / found: fine; not_found: neutral (the lookup before a resend); refused, error, unknown: trouble. */
const callTone = (outcome: string) =>
  outcome === "applied" || outcome === "found" ? "succeeded" : outcome === "not_found" || outcome === "in_flight" ? "neutral" : "failed";

function TimelineEntry({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case "stripe_event":
      return (
        <>
          Stripe event <strong>{item.type}</strong> <span className="mono">{item.id}</span> <Badge value={item.status} />
          {item.lastError && <div className="muted">{item.lastError}</div>}
        </>
      );
    case "status":
      return (
        <>
          Status {item.from ? <Badge value={item.from} /> : "new"} → <Badge value={item.to} /> <span className="muted">({item.source})</span>
        </>
      );
    case "movement":
      return (
        <>
          {item.movementKind === "credit" ? "Credit" : "Debit"} of <strong>{item.navixyAmount}</strong> recorded (<span className="mono">{item.id}</span>),
          now <Badge value={item.state} />
          <div className="muted">Text: {item.text}</div>
        </>
      );
    case "navixy_call":
      return (
        <>
          Navixy <strong>{item.method}</strong> {item.navixyAmount} → <Badge value={callTone(item.outcome)} text={item.outcome.replace(/_/g, " ")} /> in {item.durationMs} ms
          {item.errorCode !== null && <> (code {item.errorCode})</>}
          <div className="muted">Sent: “{item.text}”{item.detail ? ` · Answer: ${item.detail}` : ""}</div>
        </>
      );
    case "audit":
      return (
        <>
          Console: <strong>{actionText(item.action)}</strong> by{" "}
          <span title={item.actor} data-actor={item.actor}>
            {actorText(item.actor)}
          </span>
          {item.comment && <div className="muted">“{item.comment}”</div>}
        </>
      );
  }
}

export default async function PaymentPage({ params }: { params: Promise<{ paymentId: string }> }) {
  const { session, services } = await requireAdminPage();
  const { paymentId } = await params;
  const detail = await paymentDetail(services, paymentId);
  if (!detail) notFound();
  const { payment: p } = detail;
  const back = `/admin/payments/${p.id}`;
  const refundable = p.amountReceived - p.amountRefunded;
  // A form of this page that was just refused comes back with what was typed into it.
  const typedResolve = await typedFormOf("resolve");
  return (
    <>
      <p>
        <Link href="/admin/payments">← Payments</Link>
      </p>
      <h1>
        Payment <span className="mono">{p.id}</span>
      </h1>
      <Flash />
      <div className="grid">
        <section className="panel" aria-label="Summary">
          <dl className="stat-list" data-testid="payment-summary">
            <dt>Status</dt>
            <dd data-testid="payment-status">
              <Badge value={p.status} />
            </dd>
            <dt>Credit</dt>
            <dd data-testid="credit-state">
              <Badge value={detail.creditState} />
            </dd>
            <dt>Payer</dt>
            <dd data-testid="payer-name">{p.payerName ?? NONE}</dd>
            <dt>Login</dt>
            <dd data-testid="payer-login">{p.payerLogin ?? NONE}</dd>
            <dt>Navixy user</dt>
            <dd>
              <Link href={`/admin/payments?user=${p.navixyUserId}`}>{p.navixyUserId}</Link>
            </dd>
            <dt>Method</dt>
            <dd data-testid="payment-method">{methodText(p)}</dd>
            <dt>Amount</dt>
            <dd>{formatMoney(p.amount, p.currency)}</dd>
            <dt>Received</dt>
            <dd data-testid="amount-received">{formatMoney(p.amountReceived, p.currency)}</dd>
            {p.amountCapturable > 0 && (
              <>
                <dt>Authorized</dt>
                <dd>{formatMoney(p.amountCapturable, p.currency)}</dd>
              </>
            )}
            <dt>Refunded</dt>
            <dd data-testid="amount-refunded">{formatMoney(p.amountRefunded, p.currency)}</dd>
            <dt>Created</dt>
            <dd>{fmtTime(p.createdAt)}</dd>
            {(p.failureMessage || p.failureCode) && (
              <>
                <dt>{p.status === "failed" ? "Declined" : "Failure"}</dt>
                <dd data-testid="decline">
                  {declineText(p.failureCode)}
                  {p.failureMessage && <div className="muted small">{p.failureMessage}</div>}
                </dd>
              </>
            )}
            <dt>PaymentIntent</dt>
            <dd>
              {p.stripePaymentIntentId && detail.stripeLink?.kind === "dashboard" ? (
                <a href={detail.stripeLink.href} target="_blank" rel="noopener noreferrer" className="mono" data-testid="stripe-link">
                  {p.stripePaymentIntentId}
                  <span className="visually-hidden"> (opens the Stripe dashboard in a new tab)</span>
                </a>
              ) : p.stripePaymentIntentId && detail.stripeLink ? (
                <>
                  <span className="mono">{p.stripePaymentIntentId}</span>
                  <div className="small">
                    <a href={detail.stripeLink.href} data-testid="stripe-link">
                      Sandbox overview
                    </a>{" "}
                    <span className="muted">(a sandbox payment is in no Stripe account)</span>
                  </div>
                </>
              ) : (
                "none"
              )}
            </dd>
          </dl>
        </section>
        <div>
          {(p.status === "succeeded" || p.status === "partially_refunded") && refundable > 0 && (
            <RefundForm csrf={session.csrfToken} back={back} paymentId={p.id} refundable={refundable} currency={p.currency} typed={await typedFormOf("refund", { paymentId: p.id })} />
          )}
          {p.status === "authorized" && (
            <AuthorizationForms
              csrf={session.csrfToken}
              back={back}
              paymentId={p.id}
              capturable={p.amountCapturable}
              currency={p.currency}
              typed={await typedFormOf("capture", { paymentId: p.id })}
            />
          )}
        </div>
      </div>

      <h2>Balance movements</h2>
      <div className="table-wrap">
        <table className="admin-table" data-testid="movements-table">
          <thead>
            <tr>
              <th scope="col">Movement</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {detail.movements.length === 0 && (
              <tr>
                <td colSpan={7}>None yet.</td>
              </tr>
            )}
            {detail.movements.map((m) => (
              <tr key={m.id} data-movement-id={m.id}>
                <td className="mono">{m.id}</td>
                <td>{m.kind}</td>
                <td className="num">{m.navixyAmount}</td>
                <td>
                  <Badge value={m.needsAttention && m.state !== "failed" ? "needs_attention" : m.state} text={m.needsAttention ? `${label(m.state)}, needs attention` : undefined} />
                </td>
                <td>{m.attempts}</td>
                <td>{m.lastError}</td>
                <td>
                  {(m.state === "failed" || m.needsAttention) && m.state !== "applied" && m.state !== "canceled" && (
                    <div className="actions-row">
                      <RetryForm csrf={session.csrfToken} back={back} movementId={m.id} />
                      <ResolveForm csrf={session.csrfToken} back={back} movementId={m.id} typed={typedResolve?.values.movementId === m.id ? typedResolve : undefined} />
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {detail.timeline.map((item, i) => (
          <li key={i} data-kind={item.kind} data-tone={item.kind === "navixy_call" && callTone(item.outcome) === "failed" ? "danger" : undefined}>
            <time dateTime={item.at.toISOString()}>{fmtTime(item.at)}</time>
            <div>
              <TimelineEntry item={item} />
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}
