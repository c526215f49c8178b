import type { Metadata } from "next";
import { Fragment } from "react";
import Link from "next/link";
import { Flash } from "@/components/admin/Flash";
import { InputField, SelectField } from "@/components/admin/FilterField";
import { FilterButtons, Pager } from "@/components/admin/Pager";
import { fmtTime } from "@/components/admin/format";
import { AUDIT_ACTION_FAMILIES, auditFiltersToParams, listAuditLog, parseAuditCursor, parseAuditFilters } from "@/lib/admin/audit-query";
import { requireAdminPage } from "@/lib/admin/page-session";
import { isPaymentId } from "@/lib/ids";

export const metadata: Metadata = { title: "Audit log" };

type Params = Record<string, string | string[] | undefined>;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { services } = await requireAdminPage();
  const params = await searchParams;
  const filters = parseAuditFilters(params);
  const cursor = parseAuditCursor(str(params.after));
  const page = await listAuditLog(services, filters, { cursor, limit: 50 });
  const query = auditFiltersToParams(filters);
  const nextHref = page.next ? `/admin/audit?${new URLSearchParams([...query, ["after", page.next]])}` : null;
  const firstHref = `/admin/audit${query.size ? `?${query}` : ""}`;
  const families: { value: string; text: string }[] = [...AUDIT_ACTION_FAMILIES];
  if (filters.action && !families.some((f) => f.value === filters.action)) families.push({ value: filters.action, text: filters.action });
  return (
    <>
      <h1>Audit log</h1>
      <Flash />
      <p className="muted">Every console action, sign-in and export for this dealer: who, what, when, and what it changed. Each entry&apos;s stored values are under &ldquo;Stored values&rdquo;.</p>
      <form method="get" action="/admin/audit" className="panel" role="search" aria-label="Filter the audit log">
        <div className="filters">
          <SelectField id="action" label="Action" defaultValue={filters.action} options={families} />
          <InputField id="target" label="Payment, movement or rule id" span={2} defaultValue={filters.target} />
          <InputField id="actor" label="Who" defaultValue={filters.actor} placeholder="operator, dealer acme, command line" />
          <FilterButtons clearHref="/admin/audit" />
        </div>
      </form>
      <div className="table-wrap">
        <table className="admin-table" data-testid="audit-table">
          <caption>{query.size ? "Entries matching the filters, newest first" : "All entries, newest first"}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">On</th>
              <th scope="col">What changed</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.length === 0 && (
              <tr>
                <td colSpan={5}>No entries match.</td>
              </tr>
            )}
            {page.rows.map((e) => (
              <tr key={e.id} data-audit-id={e.id} data-action={e.action}>
                <td>{fmtTime(e.at)}</td>
                <td data-testid="audit-who">
                  {e.readable.who}
                  {e.readable.where && <div className="muted small">from {e.readable.where}</div>}
                </td>
                <td data-testid="audit-what">{e.readable.what}</td>
                <td>
                  {e.target && isPaymentId(e.target) ? (
                    <Link href={`/admin/payments/${e.target}`} className="mono" prefetch={false}>
                      {e.target}
                    </Link>
                  ) : (
                    <span className="mono">{e.target ?? ""}</span>
                  )}
                </td>
                <td>
                  {e.readable.changes.length > 0 && (
                    <ul className="changes" data-testid="audit-changes">
                      {e.readable.changes.map((c) => (
                        <li key={c.field}>
                          {c.label}: {c.before === null ? "" : <del>{c.before}</del>}
                          {c.before !== null && c.after !== null ? " → " : ""}
                          {c.after === null ? "" : <ins>{c.after}</ins>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {e.comment && <p className="comment">“{e.comment}”</p>}
                  <details className="raw" data-testid="audit-raw">
                    <summary>Stored values</summary>
                    <dl className="raw-values">
                      <dt>actor</dt>
                      <dd className="mono">{e.actor}</dd>
                      <dt>ip</dt>
                      <dd className="mono">{e.ip ?? "none"}</dd>
                      <dt>action</dt>
                      <dd className="mono">{e.action}</dd>
                      {e.changes.map((c) => (
                        <Fragment key={c.field}>
                          <dt>{c.field}</dt>
                          <dd className="mono">
                            {c.before ?? "none"} → {c.after ?? "none"}
                          </dd>
                        </Fragment>
                      ))}
                    </dl>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager newestHref={cursor !== null ? firstHref : null} olderHref={nextHref} olderText="Older entries" endText="End of the log" />
    </>
  );
}
