import type { Metadata } from "next";
import Link from "next/link";
import { AuthorizationForms, ResolveForm, RetryForm } from "@/components/admin/ActionForms";
import { Badge } from "@/components/admin/Badge";
import { FormBasics } from "@/components/admin/CsrfField";
import { Flash } from "@/components/admin/Flash";
import { attentionView, type AttentionEntry } from "@/lib/admin/attention";
import { requireAdminPage, typedFormOf } from "@/lib/admin/page-session";
import type { TypedForm } from "@/lib/admin/console-flash";
import { formatMoney } from "@/lib/money";

export const metadata: Metadata = { title: "Needs attention" };

const TITLES: Record<AttentionEntry["kind"], string> = {
  movement_failed: "Balance movement failed",
  movement_unknown: "Balance movement: outcome unknown",
  movement_stuck: "Balance movement keeps failing",
  refund_failed: "Refund failed at Stripe",
  currency_mismatch: "Paid in another currency: not credited",
  authorization_waiting: "Authorization waiting for capture",
  authorization_expiring: "Authorization about to expire",
};

/** What a person should do, in the console's words (the CLI's own text names commands). */
function advice(item: AttentionEntry): string {
  switch (item.kind) {
    case "movement_failed":
      return item.lastErrorCode === 251
        ? "The user's Navixy balance is too low for this debit. Retry once the balance allows it, or resolve it by hand."
        : "Fix the cause in Navixy (permissions, the user), then retry. If you changed the balance by hand, resolve it instead.";
    case "movement_unknown":
      return "Navixy may or may not have applied it. It is looked up in the user's Navixy transactions before anything is sent again, so nothing is doubled. If the lookup keeps failing, check the transactions in Navixy: resolve it by hand if it is there, retry if it is not.";
    case "movement_stuck":
      return "Retried automatically with backoff. Check that Navixy is reachable; retry now or resolve it by hand.";
    case "refund_failed":
      return "The payer did not get this refund: Stripe put the money back into your balance, and the Navixy balance keeps it (any debit was credited back). Refund them again, e.g. once they give new card details, or settle with them another way, then mark it handled.";
    case "currency_mismatch":
      return "The PaymentIntent was changed to another currency in Stripe, so the balance was not credited. Refund it in Stripe (the link is on the payment page) so the payer can pay again, or credit the user by hand in Navixy. It leaves this list once refunded in full.";
    case "authorization_waiting":
      return "Capture it (all or part) to credit the balance, or release it.";
    case "authorization_expiring":
      return "Stripe voids authorizations after 7 days: capture or release it now.";
  }
}

export default async function AttentionPage() {
  const { session, services } = await requireAdminPage();
  const items = await attentionView(services);
  const back = "/admin/attention";
  // A form of this page that was just refused comes back with what was typed into it.
  const [resolveTyped, captureTyped] = await Promise.all([typedFormOf("resolve"), typedFormOf("capture")]);
  const typedFor = (typed: TypedForm | undefined, field: string, id: string | undefined) => (typed && id && typed.values[field] === id ? typed : undefined);
  return (
    <>
      <h1>Needs attention</h1>
      <Flash />
      {items.length === 0 && <p className="panel">Nothing needs attention.</p>}
      <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="attention-list">
        {items.map((item) => (
          <li key={`${item.kind}:${item.movementId ?? item.paymentId}`} className="panel" data-kind={item.kind} data-payment-id={item.paymentId} data-movement-id={item.movementId}>
            <h2 style={{ marginTop: 0 }}>
              {TITLES[item.kind]} <Badge value={item.kind.startsWith("authorization") ? "authorized" : "failed"} text={formatMoney(item.amount, item.currency)} />
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
              <strong>What to do:</strong> {advice(item)}
            </p>
            {item.kind === "currency_mismatch" ? null : item.kind === "refund_failed" && item.movementId ? (
              <HandledForm
                csrf={session.csrfToken}
                back={back}
                movementId={item.movementId}
                applied={item.movementState === "applied"}
                typed={typedFor(resolveTyped, "movementId", item.movementId)}
              />
            ) : item.movementId ? (
              <div className="actions-row">
                <RetryForm csrf={session.csrfToken} back={back} movementId={item.movementId} />
                <ResolveForm csrf={session.csrfToken} back={back} movementId={item.movementId} typed={typedFor(resolveTyped, "movementId", item.movementId)} />
              </div>
            ) : (
              <AuthorizationForms
                csrf={session.csrfToken}
                back={back}
                paymentId={item.paymentId}
                capturable={item.amount}
                currency={item.currency}
                typed={typedFor(captureTyped, "paymentId", item.paymentId)}
              />
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * A failed refund's debit is settled in the ledger already; a person only confirms the payer was taken care
 * of. The resolve action keeps its state as it is (applied stays applied, canceled stays canceled).
 */
function HandledForm({ csrf, back, movementId, applied, typed }: { csrf: string; back: string; movementId: string; applied: boolean; typed?: TypedForm }) {
  const id = `handled-${movementId}`;
  return (
    <details open={typed ? true : undefined}>
      <summary>Mark handled…</summary>
      <form method="post" action="/admin/actions/resolve" data-testid={id}>
        <FormBasics csrf={csrf} back={back} />
        <input type="hidden" name="movementId" value={movementId} />
        <input type="hidden" name="applied" value={applied ? "yes" : "no"} />
        <div className="admin-field">
          <label htmlFor={`${id}-comment`}>What was done for the payer (required)</label>
          <textarea id={`${id}-comment`} name="comment" required minLength={3} maxLength={500} defaultValue={typed?.values.comment ?? ""} />
        </div>
        <p>
          <button type="submit" className="btn btn-secondary">
            Mark handled
          </button>
        </p>
      </form>
    </details>
  );
}
