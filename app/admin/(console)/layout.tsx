// Every console page but the login: a signed-in session, the dealer it works on (an operator can switch),
// the navigation and the logout button.
import type { ReactNode } from "react";
import { DealerSwitcher } from "@/components/admin/DealerSwitcher";
import { NavLinks } from "@/components/admin/NavLinks";
import { consoleHeader } from "@/lib/admin/dealer-console";
import { requireAdminPage } from "@/lib/admin/page-session";
import { needsAttention } from "@/lib/payments/attention";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { session, services } = await requireAdminPage();
  const [attention, header] = await Promise.all([needsAttention(services), consoleHeader(session, services)]);
  const operator = session.role === "operator";
  return (
    <>
      <header className="admin-header">
        <p className="admin-title">
          Dealer console
          <span className="admin-dealer" data-testid="console-dealer" data-dealer={header.dealer.slug}>
            {header.dealer.name}
          </span>
        </p>
        {operator && header.choices.length > 1 && <DealerSwitcher csrf={session.csrfToken} current={header.dealer.slug} choices={header.choices} />}
        <nav className="admin-nav" aria-label="Console">
          <NavLinks attentionCount={attention.length} operator={operator} />
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
