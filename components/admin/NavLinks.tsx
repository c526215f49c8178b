"use client";
// The console's navigation; the only client code, to mark the current page for screen readers.
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/admin", text: "Overview" },
  { href: "/admin/payments", text: "Payments" },
  { href: "/admin/attention", text: "Needs attention" },
  { href: "/admin/reconciliation", text: "Reconciliation" },
  { href: "/admin/alerts", text: "Alerts" },
  { href: "/admin/autotopup", text: "Automatic top-up" },
  { href: "/admin/audit", text: "Audit log" },
  { href: "/admin/setup", text: "Setup" },
];
/** The operator's only: every dealer of the deployment. */
const OPERATOR_LINKS = [{ href: "/admin/dealers", text: "Dealers" }];

export function NavLinks({ attentionCount, operator }: { attentionCount: number; operator: boolean }) {
  const path = usePathname() ?? "";
  const current = (href: string) => (href === "/admin" ? path === "/admin" : path === href || path.startsWith(`${href}/`));
  return (
    <ul>
      {(operator ? [...LINKS, ...OPERATOR_LINKS] : LINKS).map((l) => (
        <li key={l.href}>
          <Link href={l.href} aria-current={current(l.href) ? "page" : undefined} prefetch={false}>
            {l.text}
            {l.href === "/admin/attention" && (
              <span className="count" data-zero={attentionCount === 0} aria-label={`${attentionCount} items`}>
                {attentionCount}
              </span>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}
