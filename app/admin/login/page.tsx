import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FlashMessage } from "@/components/admin/Flash";
import { currentSession } from "@/lib/admin/page-session";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentSession()) redirect("/admin");
  const params = await searchParams;
  return (
    <div className="panel login-panel">
      <h1>Dealer console</h1>
      {params.error === "password" && <FlashMessage kind="error" message="Wrong password." />}
      <form method="post" action="/admin/session" data-testid="login-form">
        <div className="admin-field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required autoFocus />
        </div>
        <p>
          <button type="submit" className="btn">
            Sign in
          </button>
        </p>
      </form>
      <p className="muted">The password is the gateway&apos;s ADMIN_PASSWORD setting.</p>
    </div>
  );
}
