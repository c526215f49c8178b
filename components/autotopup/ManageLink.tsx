"use client";
// On the return page of the payment that set up automatic top-up: the signed link to see, change or turn it off.
import { useTranslator } from "@/components/i18n/I18nProvider";

export function ManageLink({ url, state }: { url: string; state: string }) {
  const tr = useTranslator();
  return (
    <div data-testid="autotopup-manage-link-box" style={{ display: "grid", gap: "0.375rem", marginTop: "0.5rem" }}>
      <p>
        {state === "pending_enrolment"
          ? tr.t("autoTopUp.link.pending")
          : state === "active"
            ? tr.t("autoTopUp.link.active")
            : tr.t("autoTopUp.link.setUp")}{" "}
        {tr.t("autoTopUp.link.keep")}
      </p>
      <a className="button-link button-secondary" href={url} rel="noreferrer" data-testid="autotopup-manage-link">
        {tr.t("autoTopUp.link.manage")}
      </a>
      <p className="muted" style={{ fontSize: "0.8125rem" }}>
        {tr.t("autoTopUp.link.private")}
      </p>
    </div>
  );
}
