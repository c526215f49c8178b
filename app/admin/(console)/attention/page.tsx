import type { Metadata } from "next";
import Link from "next/link";
import { AuthorizationForms, ResolveForm, RetryForm } from "@/components/admin/ActionForms";
import { Badge } from "@/components/admin/Badge";
import { Flash } from "@/components/admin/Flash";
import { requireAdminPage } from "@/lib/admin/page-session";
import { formatMoney } from "@/lib/money";
import { needsAttention, type AttentionItem } from "@/lib/payments/attention";
import { getServices } from "@/lib/server/services";

export const metadata: Metadata = { title: "Needs attention" };

const TITLES: Record<AttentionItem["kind"], string> = {
  movement_failed: "Balance movement failed",
  movement_stuck: "Balance movement keeps failing",
  authorization_waiting: "Authorization waiting for capture",
  authorization_expiring: "Authorization about to expire",
};

/** What a person should do, in the console's words (the CLI's own text names commands). */
function advice(item: AttentionItem, lastErrorCode: number | null | undefined): string {
  switch (item.kind) {
    case "movement_failed":
      return lastErrorCode === 251
        ? "The user's Navixy balance is too low for this debit. Retry once the balance allows it, or resolve it by hand."
        : "Fix the cause in Navixy (permissions, the user), then retry. If you changed the balance by hand, resolve it instead.";
    case "movement_stuck":
      return "Retried automatically with backoff. Check that Navixy is reachable; retry now or resolve it by hand.";
    case "authorization_waiting":
      return "Capture it (all or part) to credit the balance, or release it.";
    case "authorization_expiring":
      return "Stripe voids authorizations after 7 days: capture or release it now.";
  }
}

export default async function AttentionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireAdminPage();
  const services = getServices();
  const params = await searchParams;
  const items = await needsAttention(services);
  const movementIds = items.map((i) => i.movementId).filter((x): x is string => !!x);
  const codes = new Map(
    (await services.db.balanceMovement.findMany({ where: { id: { in: movementIds } }, select: { id: true, lastErrorCode: true } })).map((m) => [m.id, m.lastErrorCode]),
  );
  const back = "/admin/attention";
  return (
    <>
      <h1>Needs attention</h1>
      <Flash services={services} value={params.flash} />
      {items.length === 0 && <p className="panel">Nothing needs attention.</p>}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="attention-list">
        {items.map((item) => (
          <li key={`${item.kind}:${item.movementId ?? item.paymentId}`} className="panel" data-kind={item.kind} data-payment-id={item.paymentId} data-movement-id={item.movementId}>
            <h2 style={{ marginTop: 0 }}>
              {TITLES[item.kind]} <Badge value={item.kind.startsWith("movement") ? "failed" : "authorized"} text={formatMoney(item.amount, item.currency)} />
            </h2>
            <p>
              Payment{" "}
              <Link href={`/admin/payments/${item.paymentId}`} className="mono">
                {item.paymentId}
              </Link>
              {item.movementId && (
                <>
                  {" "}
                  · movement <span className="mono">{item.movementId}</span>
                </>
              )}
            </p>
            <p>
              <strong>Why:</strong> {item.reason}
            </p>
            <p>
              <strong>What to do:</strong> {advice(item, item.movementId ? codes.get(item.movementId) : null)}
            </p>
            {item.movementId ? (
              <div className="actions-row">
                <RetryForm csrf={session.csrfToken} back={back} movementId={item.movementId} />
                <ResolveForm csrf={session.csrfToken} back={back} movementId={item.movementId} />
              </div>
            ) : (
              <AuthorizationForms csrf={session.csrfToken} back={back} paymentId={item.paymentId} capturable={item.amount} currency={item.currency} />
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
