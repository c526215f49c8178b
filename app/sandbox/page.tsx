// Sandbox mode only (404 otherwise): the emulated Navixy users with their balances and transactions, a link to
// pay as each of them, and the latest payments in the ledger. Refreshes itself so a credit can be watched landing.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { isSandboxMode } from "@/lib/sandbox/mode";
import { loadLatestPayments, loadNavixyOverview, type SandboxPayment, type SandboxUser } from "@/lib/sandbox/overview";
import { SANDBOX_TEST_CARDS, TEST_CARD_DETAILS } from "@/lib/sandbox/test-cards";
import { headers } from "next/headers";
import { dealerBasePath, servicesForRequest } from "@/lib/server/request-dealer";
import { AutoRefresh } from "@/components/sandbox/AutoRefresh";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sandbox · Add money" };

const TRANSACTIONS_SHOWN = 5;

const CSS = `
.shell{max-width:52rem}
.sandbox-page h2{font-size:1.0625rem;margin:1.75rem 0 .75rem}
.sandbox-page .lead{margin:.25rem 0 .5rem;color:var(--muted)}
.sandbox-refresh{margin:0;color:var(--muted);font-size:.875rem}
.sandbox-users{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
.sandbox-user{border:1px solid var(--border);border-radius:var(--radius-sm);padding:.875rem 1rem}
.sandbox-user-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;justify-content:space-between}
.sandbox-user-name{font-weight:600}
.sandbox-user-meta{color:var(--muted);font-size:.875rem}
.sandbox-balance{font-size:1.125rem;font-weight:700;font-variant-numeric:tabular-nums}
.sandbox-user-actions{margin:.5rem 0 0;font-size:.9375rem}
.sandbox-user-actions a{display:inline-block;padding:.125rem 0}
.sandbox-tx{list-style:none;margin:.625rem 0 0;padding:.5rem 0 0;border-top:1px solid var(--border);display:grid;gap:.25rem;font-size:.875rem}
.sandbox-tx li{display:flex;gap:.75rem;justify-content:space-between}
.sandbox-tx .when{color:var(--muted);white-space:nowrap}
.sandbox-tx .text{flex:1;min-width:0}
.sandbox-tx .amount{font-variant-numeric:tabular-nums;white-space:nowrap;font-weight:600}
.sandbox-table-wrap{overflow-x:auto}
.sandbox-table{width:100%;border-collapse:collapse;font-size:.875rem}
.sandbox-table th,.sandbox-table td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--border);vertical-align:top;overflow-wrap:normal;white-space:nowrap}
.sandbox-table td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:12rem}
.sandbox-table th{color:var(--muted);font-weight:600}
.sandbox-table td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.sandbox-table code{font-size:.8125rem}
.sandbox-cards{margin:0;padding-left:1.25rem;font-size:.9375rem}
.sandbox-cards code{font-weight:600}
.sandbox-error{border:1px solid var(--danger-border);background:var(--danger-bg);color:var(--danger);border-radius:var(--radius-sm);padding:.75rem 1rem}
`;

const TIME = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

export default async function SandboxPage() {
  if (!isSandboxMode()) notFound();
  // The request's dealer: /d/<slug>/sandbox shows a hosted dealer's Navixy users and payments.
  const services = await servicesForRequest(await headers());
  const base = dealerBasePath(services.dealer);
  const [navixy, payments] = await Promise.all([
    loadNavixyOverview(services.config.navixy.apiUrl),
    loadLatestPayments(services).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
  ]);

  return (
    <div className="sandbox-page" data-testid="sandbox-page">
      <style>{CSS}</style>
      <h1>Sandbox{services.dealer.isDefault ? "" : `: ${services.dealer.name}`}</h1>
      <p className="lead">
        Stripe and Navixy are emulated on this computer: pay with a test card, and watch the balance rise here. No real
        money moves and nothing leaves this machine.
      </p>
      <AutoRefresh />

      <section aria-labelledby="sandbox-users-title">
        <h2 id="sandbox-users-title">Navixy users{navixy.ok ? ` (${navixy.currency})` : ""}</h2>
        {navixy.ok ? (
          <ul className="sandbox-users">
            {navixy.users.map((user) => (
              <UserCard key={user.id} user={user} base={base} />
            ))}
          </ul>
        ) : (
          <p className="sandbox-error" role="alert">
            {navixy.error}
          </p>
        )}
      </section>

      <section aria-labelledby="sandbox-payments-title">
        <h2 id="sandbox-payments-title">Latest payments (ledger)</h2>
        {payments instanceof Error ? (
          <p className="sandbox-error" role="alert">
            The ledger could not be read: {payments.message}
          </p>
        ) : payments.length === 0 ? (
          <p className="muted" data-testid="sandbox-payments-empty">
            No payments yet.
          </p>
        ) : (
          <PaymentsTable payments={payments} />
        )}
      </section>

      <section aria-labelledby="sandbox-cards-title">
        <h2 id="sandbox-cards-title">Test cards</h2>
        <ul className="sandbox-cards">
          {SANDBOX_TEST_CARDS.map((card) => (
            <li key={card.number}>
              <code>{card.number}</code>: {card.outcome}
            </li>
          ))}
        </ul>
        <p className="muted">With {TEST_CARD_DETAILS}.</p>
      </section>
    </div>
  );
}

function UserCard({ user, base }: { user: SandboxUser; base: string }) {
  const shown = user.transactions.slice(0, TRANSACTIONS_SHOWN);
  const more = user.transactions.length - shown.length;
  return (
    <li className="sandbox-user" data-testid={`sandbox-user-${user.id}`}>
      <div className="sandbox-user-head">
        <div>
          <span className="sandbox-user-name">{user.name}</span>{" "}
          <span className="sandbox-user-meta">
            #{user.id}
            {user.login ? ` · ${user.login}` : ""}
            {user.subUser ? " · sub-user" : ""}
          </span>
        </div>
        <span className="sandbox-balance" data-testid={`sandbox-balance-${user.id}`} data-balance={user.balance}>
          {user.balanceText}
        </span>
      </div>
      <p className="sandbox-user-actions">
        <a href={`${base}/?id=${user.id}`} data-testid={`sandbox-pay-${user.id}`}>
          Pay as this user
        </a>
        {user.subUser && <span className="muted"> (a sub-user: the checkout refuses it with 404, as it should)</span>}
      </p>
      {shown.length > 0 && (
        <ol className="sandbox-tx" aria-label={`Transactions of ${user.name}, newest first`} data-testid={`sandbox-transactions-${user.id}`}>
          {shown.map((t) => (
            <li key={t.id}>
              <span className="when">{t.timestamp}</span>
              <span className="text">{t.text || "—"}</span>
              <span className="amount">{t.amount.startsWith("-") ? t.amountText : `+${t.amountText}`}</span>
            </li>
          ))}
          {more > 0 && <li className="muted">and {more} older</li>}
        </ol>
      )}
    </li>
  );
}

const CREDIT_LABELS: Record<SandboxPayment["creditState"], string> = {
  not_due: "not due",
  pending: "pending",
  credited: "credited",
  needs_attention: "needs attention",
  canceled: "canceled",
};

function PaymentsTable({ payments }: { payments: SandboxPayment[] }) {
  return (
    // Scrolls sideways on a narrow screen: focusable, so that the keyboard scrolls it too.
    <div className="sandbox-table-wrap" tabIndex={0} role="region" aria-labelledby="sandbox-payments-title">
      <table className="sandbox-table" data-testid="sandbox-payments">
        <thead>
          <tr>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Payment</th>
            <th scope="col">User</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
            <th scope="col">Credit</th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id} data-testid={`sandbox-payment-${p.id}`} data-status={p.status} data-credit={p.creditState}>
              <td className="num">{TIME.format(p.createdAt)}</td>
              <td className="wrap">
                <code>{p.id}</code>
                {p.failureMessage && (p.status === "failed" || p.status === "canceled") && <div className="muted">{p.failureMessage}</div>}
              </td>
              <td className="num">{p.navixyUserId}</td>
              <td className="num">{p.amountText}</td>
              <td>{p.status}</td>
              <td>{CREDIT_LABELS[p.creditState]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
