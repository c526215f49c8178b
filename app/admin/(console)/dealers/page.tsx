import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/admin/Badge";
import { AddDealerForm } from "@/components/admin/DealerForms";
import { Flash } from "@/components/admin/Flash";
import { fmtTime } from "@/components/admin/format";
import { dealerList } from "@/lib/admin/dealer-console";
import { requireOperatorPage, typedFormOf } from "@/lib/admin/page-session";

export const metadata: Metadata = { title: "Dealers" };

export default async function DealersPage() {
  const { session } = await requireOperatorPage();
  const dealers = await dealerList();
  return (
    <>
      <h1>Dealers</h1>
      <Flash />
      <p className="muted">
        Each dealer has its own Stripe account, Navixy login, payer&apos;s page and webhook on this deployment. The environment&apos;s own dealer keeps the addresses
        without /d/&lt;slug&gt;.
      </p>
      <div className="table-wrap">
        <table className="admin-table" data-testid="dealers-table">
          <caption>Dealers, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Dealer</th>
              <th scope="col">Status</th>
              <th scope="col">Payment system URL</th>
              <th scope="col">Webhook endpoint</th>
              <th scope="col">Console login</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {dealers.length === 0 && (
              <tr>
                <td colSpan={6}>No dealers besides this deployment&apos;s own.</td>
              </tr>
            )}
            {dealers.map((d) => (
              <tr key={d.id} data-dealer={d.slug}>
                <td>
                  <Link href={`/admin/dealers/${d.slug}`} prefetch={false}>
                    {d.name}
                  </Link>{" "}
                  <span className="mono muted">{d.slug}</span>
                </td>
                <td>
                  <Badge value={d.status === "active" ? "succeeded" : d.status === "suspended" ? "failed" : "pending"} text={d.status} />
                  {d.backoff && (
                    <>
                      {" "}
                      <span data-testid="backed-off" title={d.backoff.reason ?? undefined}>
                        <Badge value="failed" text="backed off" />
                      </span>
                    </>
                  )}
                </td>
                <td className="mono">{d.paymentSystemUrl}</td>
                <td className="mono">{d.webhookUrl}</td>
                <td>{d.hasConsoleLogin ? "yes" : "no"}</td>
                <td>{fmtTime(d.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <AddDealerForm csrf={session.csrfToken} back="/admin/dealers" typed={await typedFormOf("dealer-add")} />
    </>
  );
}
