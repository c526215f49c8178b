import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/admin/Badge";
import { ChangeDealerForm, ConsolePasswordForm, DealerStatusForms } from "@/components/admin/DealerForms";
import { Flash } from "@/components/admin/Flash";
import { FormBasics } from "@/components/admin/CsrfField";
import { fmtTime } from "@/components/admin/format";
import { dealerPage } from "@/lib/admin/dealer-console";
import { requireOperatorPage, typedFormOf } from "@/lib/admin/page-session";

export const metadata: Metadata = { title: "Dealer" };

export default async function DealerPage({ params }: { params: Promise<{ slug: string }> }) {
  const { session } = await requireOperatorPage();
  const { slug } = await params;
  const dealer = await dealerPage(slug);
  if (!dealer) notFound();
  const back = `/admin/dealers/${dealer.slug}`;
  return (
    <>
      <p>
        <Link href="/admin/dealers">← Dealers</Link>
      </p>
      <h1>
        {dealer.name} <span className="mono muted">{dealer.slug}</span>
      </h1>
      <Flash />
      <section className="panel" aria-label="Summary">
        <dl className="stat-list" data-testid="dealer-summary">
          <dt>Status</dt>
          <dd data-testid="dealer-status">
            <Badge value={dealer.status === "active" ? "succeeded" : dealer.status === "suspended" ? "failed" : "pending"} text={dealer.status} />
            {dealer.suspendedAt && ` since ${fmtTime(dealer.suspendedAt)}`}
          </dd>
          <dt>Payment system URL</dt>
          <dd className="mono">{dealer.paymentSystemUrl}</dd>
          <dt>Webhook endpoint</dt>
          <dd className="mono">{dealer.webhookUrl}</dd>
          <dt>Added</dt>
          <dd>{fmtTime(dealer.createdAt)}</dd>
        </dl>
        <DealerStatusForms
          csrf={session.csrfToken}
          back={back}
          slug={dealer.slug}
          status={dealer.status}
          typed={await typedFormOf("dealer-suspend", { slug: dealer.slug })}
        />
        <form method="post" action="/admin/actions/switch-dealer">
          <FormBasics csrf={session.csrfToken} back="/admin/setup" />
          <input type="hidden" name="dealer" value={dealer.slug} />
          <button type="submit" className="btn btn-secondary" data-testid="open-dealer">
            Work on this dealer (its payments, setup and audit log)
          </button>
        </form>
      </section>
      <ChangeDealerForm csrf={session.csrfToken} back={back} dealer={dealer} typed={await typedFormOf("dealer-change", { slug: dealer.slug })} />
      <ConsolePasswordForm csrf={session.csrfToken} back={back} dealer={dealer} typed={await typedFormOf("dealer-console-password", { slug: dealer.slug })} />
    </>
  );
}
