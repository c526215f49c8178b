import type { Metadata } from "next";
import Link from "next/link";
import { RuleStateForm, TurnOffRuleForm } from "@/components/admin/ActionForms";
import { InputField } from "@/components/admin/FilterField";
import { FilterButtons } from "@/components/admin/Pager";
import { Flash } from "@/components/admin/Flash";
import { fmtTime } from "@/components/admin/format";
import { autoTopUpRulesView } from "@/lib/admin/autotopup";
import { requireAdminPage } from "@/lib/admin/page-session";
import { formatMoney } from "@/lib/money";

export const metadata: Metadata = { title: "Automatic top-up" };

type Params = Record<string, string | string[] | undefined>;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** The rules payers set up, their state and why, and each rule's latest decisions. */
export default async function AutoTopUpPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { session, services } = await requireAdminPage();
  const params = await searchParams;
  const typed = str(params.user).trim();
  const user = /^\d{1,10}$/.test(typed) ? Number(typed) : undefined;
  const page = await autoTopUpRulesView(services, { navixyUserId: user, after: str(params.after) || undefined });
  const back = `/admin/autotopup${user ? `?user=${user}` : ""}`;
  return (
    <>
      <h1>Automatic top-up</h1>
      <Flash />
      <form method="get" action="/admin/autotopup" className="panel" role="search" aria-label="Find a rule">
        <div className="filters">
          <InputField id="user" label="Navixy user id" inputMode="numeric" defaultValue={typed} />
          <FilterButtons clearHref="/admin/autotopup" submitText="Find" />
        </div>
      </form>
      {typed && user === undefined && (
        <div className="flash" data-kind="error" role="alert" data-testid="filter-problem">
          &quot;{typed}&quot; is not a Navixy user id (digits only): showing every rule.
        </div>
      )}
      {page.rules.length === 0 && <p className="panel">No automatic top-up rules{user ? ` for user ${user}` : ""}.</p>}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="rules">
        {page.rules.map((rule) => (
          <li key={rule.id} className="panel" data-rule-id={rule.id} data-state={rule.state}>
            <h2 style={{ marginTop: 0 }}>
              User {rule.navixyUserId}: {rule.stateLabel}
            </h2>
            <p>
              Add {formatMoney(rule.amount, rule.currency)} when the balance falls below {formatMoney(rule.threshold, rule.currency)}, at most{" "}
              {formatMoney(rule.monthlyLimit, rule.currency)} per month. Next check {fmtTime(rule.nextCheckAt)}.
              {rule.softDeclines > 0 && ` Soft declines in a row: ${rule.softDeclines}.`}
            </p>
            {rule.stateReason && (
              <p>
                <strong>Why:</strong> {rule.stateReason}
              </p>
            )}
            <div className="actions-row">
              {(rule.state === "active" || rule.state === "paused_authentication_required") && (
                <RuleStateForm csrf={session.csrfToken} back={back} ruleId={rule.id} action="rule-pause" text="Pause" />
              )}
              {rule.state === "paused" && <RuleStateForm csrf={session.csrfToken} back={back} ruleId={rule.id} action="rule-resume" text="Resume" />}
              {!rule.state.startsWith("disabled_") && <TurnOffRuleForm csrf={session.csrfToken} back={back} ruleId={rule.id} userId={rule.navixyUserId} />}
            </div>
            <details>
              <summary>Latest decisions</summary>
              <ol>
                {rule.decisions.map((e) => (
                  <li key={e.id}>
                    {fmtTime(e.at)} · {e.kind}
                    {e.detail ? `: ${e.detail}` : ""}
                    {e.paymentId && (
                      <>
                        {" "}
                        (<Link href={`/admin/payments/${e.paymentId}`}>{e.paymentId}</Link>)
                      </>
                    )}
                  </li>
                ))}
              </ol>
            </details>
          </li>
        ))}
      </ul>
      {page.nextCursor && (
        <p>
          <Link href={`/admin/autotopup?${new URLSearchParams({ ...(user ? { user: String(user) } : {}), after: page.nextCursor })}`}>Older rules</Link>
        </p>
      )}
    </>
  );
}
