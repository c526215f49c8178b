import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FlashMessage } from "@/components/admin/Flash";
import { anyDealerLogin } from "@/lib/admin/dealer-console";
import { currentSession } from "@/lib/admin/page-session";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentSession()) redirect("/admin");
  const params = await searchParams;
  // The dealer field appears once a hosted dealer has a console login; the operator leaves it empty.
  const dealers = await anyDealerLogin();
  const dealer = typeof params.dealer === "string" ? params.dealer.slice(0, 40) : "";
  return (
    <div className="panel login-panel">
      <h1>Dealer console</h1>
      {params.error === "password" && <FlashMessage kind="error" message={dealers ? "Wrong dealer or password." : "Wrong password."} />}
      <form method="post" action="/admin/session" data-testid="login-form">
        {dealers && (
          <div className="admin-field">
            <label htmlFor="dealer">Dealer</label>
            <input id="dealer" name="dealer" type="text" autoComplete="username" spellCheck={false} defaultValue={dealer} maxLength={40} aria-describedby="dealer-hint" autoFocus />
            <small id="dealer-hint" className="muted">
              Your dealer&apos;s short name in its addresses (/d/&lt;name&gt;/). The operator leaves it empty.
            </small>
          </div>
        )}
        <div className="admin-field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required autoFocus={!dealers} />
        </div>
        <p>
          <button type="submit" className="btn">
            Sign in
          </button>
        </p>
      </form>
      <p className="muted">{dealers ? "The operator's password is the gateway's ADMIN_PASSWORD setting; a dealer's is set by the operator." : "The password is the gateway's ADMIN_PASSWORD setting."}</p>
    </div>
  );
}
