// The dealer console (/admin). Switched off, every page answers 404: ADMIN_PASSWORD unset.
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { requireConsoleEnabled } from "@/lib/admin/page-session";
import "./admin.css";

export const metadata: Metadata = {
  title: { default: "Dealer console", template: "%s · Dealer console" },
  robots: { index: false, follow: false },
};

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireConsoleEnabled();
  return <div className="admin-console">{children}</div>;
}
