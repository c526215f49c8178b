import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/admin/Badge";
import { Flash } from "@/components/admin/Flash";
import { InputField, SelectField } from "@/components/admin/FilterField";
import { FilterButtons, Pager } from "@/components/admin/Pager";
import { NONE, declineText, fmtTime, label, methodText } from "@/components/admin/format";
import { amountCurrency } from "@/lib/admin/amount-currency";
import { requireAdminPage } from "@/lib/admin/page-session";
import { CREDIT_STATES, filtersToParams, listPayments, parseFilters } from "@/lib/admin/payments-query";
import { PAYMENT_STATUSES } from "@/lib/payments/ledger/states";
import { formatMoney, toMajorString } from "@/lib/money";

export const metadata: Metadata = { title: "Payments" };

type Params = Record<string, string | string[] | undefined>;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { services } = await requireAdminPage();
  const params = await searchParams;
  const currency = await amountCurrency(services);
  const { filters, problems } = parseFilters(params, currency);
  const page = await listPayments(services, filters, { cursor: str(params.after) || null, limit: 50 });
  const query = filtersToParams(filters, currency, toMajorString);
  const nextHref = page.next ? `/admin/payments?${new URLSearchParams([...query, ["after", page.next]])}` : null;
  const firstHref = `/admin/payments${query.size ? `?${query}` : ""}`;
  const exportHref = `/admin/export${query.size ? `?${query}` : ""}`;
  return (
    <>
      <h1>Payments</h1>
      <Flash />
      <form method="get" action="/admin/payments" className="panel" role="search" aria-label="Filter payments">
        <div className="filters">
          <InputField
            id="q"
            label="Search"
            type="search"
            span={2}
            defaultValue={str(params.q)}
            placeholder="name, login, user id, last four, PaymentIntent"
          />
          <SelectField id="status" label="Status" defaultValue={filters.status} options={PAYMENT_STATUSES.map((s) => ({ value: s, text: label(s) }))} />
          <SelectField id="credit" label="Credit" defaultValue={filters.creditState} options={CREDIT_STATES.map((s) => ({ value: s, text: label(s) }))} />
          <InputField id="user" label="Navixy user id" inputMode="numeric" defaultValue={str(params.user)} />
          <InputField id="pi" label="PaymentIntent id" defaultValue={str(params.pi)} />
          <InputField id="from" label="From (UTC)" type="date" defaultValue={str(params.from)} />
          <InputField id="to" label="To (UTC)" type="date" defaultValue={str(params.to)} />
          <InputField id="min" label={`Min amount (${currency})`} inputMode="decimal" defaultValue={str(params.min)} />
          <InputField id="max" label={`Max amount (${currency})`} inputMode="decimal" defaultValue={str(params.max)} />
          <FilterButtons clearHref="/admin/payments" />
        </div>
      </form>
      {problems.length > 0 && (
        <div className="flash" data-kind="error" role="alert">
          Ignored: {problems.join("; ")}.
        </div>
      )}
      {page.problem && (
        <div className="flash" data-kind="error" role="alert" data-testid="search-problem">
          {page.problem}.
        </div>
      )}
      <div className="actions-row" style={{ justifyContent: "flex-end", marginBottom: "0.5rem" }}>
        <a href={exportHref} className="btn btn-secondary" data-testid="export-csv" download>
          Export CSV
        </a>
      </div>
      <div className="table-wrap">
        <table className="admin-table" data-testid="payments-table">
          <caption>{filters && Object.keys(filters).length ? "Payments matching the filters, newest first" : "All payments, newest first"}</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Payment</th>
              <th scope="col">Payer</th>
              <th scope="col">Method</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Credit</th>
              <th scope="col" className="num">Refunded</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.length === 0 && (
              <tr>
                <td colSpan={8}>No payments match.</td>
              </tr>
            )}
            {page.rows.map((p) => (
              <tr key={p.id} data-payment-id={p.id}>
                <td>{fmtTime(p.createdAt)}</td>
                <td>
                  <Link href={`/admin/payments/${p.id}`} className="mono" prefetch={false}>
                    {p.id}
                  </Link>
                </td>
                <td data-testid="payer">
                  <div>{p.payerName ?? NONE}</div>
                  {p.payerLogin && <div className="muted small">{p.payerLogin}</div>}
                  <Link href={`/admin/payments?user=${p.navixyUserId}`} prefetch={false} className="small" aria-label={`Payments of user ${p.navixyUserId}`}>
                    user {p.navixyUserId}
                  </Link>
                </td>
                <td data-testid="method" className="nowrap">
                  {methodText(p)}
                </td>
                <td className="num">{formatMoney(p.amount, p.currency)}</td>
                <td>
                  <Badge value={p.status} />
                  {p.failureCode && (
                    <div className="muted small" data-testid="decline" title={p.failureMessage ?? undefined}>
                      {declineText(p.failureCode)}
                    </div>
                  )}
                </td>
                <td>
                  <Badge value={p.creditState} />
                </td>
                <td className="num">{p.amountRefunded > 0 ? formatMoney(p.amountRefunded, p.currency) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager newestHref={str(params.after) ? firstHref : null} olderHref={nextHref} olderText="Older payments" endText="End of the list" />
    </>
  );
}
