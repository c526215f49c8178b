// Every console page but the login: a signed-in session, the navigation and the logout button.
import type { ReactNode } from "react";
import { NavLinks } from "@/components/admin/NavLinks";
import { requireAdminPage } from "@/lib/admin/page-session";
import { needsAttention } from "@/lib/payments/attention";
import { getServices } from "@/lib/server/services";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireAdminPage();
  const attention = await needsAttention(getServices());
  return (
    <>
      <header className="admin-header">
        <p className="admin-title">Dealer console</p>
        <nav className="admin-nav" aria-label="Console">
          <NavLinks attentionCount={attention.length} />
        </nav>
        <form method="post" action="/admin/logout">
          <input type="hidden" name="csrf" value={session.csrfToken} />
          <button type="submit" className="btn btn-secondary">
            Sign out
          </button>
        </form>
      </header>
      <div id="content">{children}</div>
    </>
  );
}
