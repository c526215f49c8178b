"use client";
// On the return page of the payment that set up automatic top-up: the signed link to see, change or turn it off.
// This browser keeps its token, so the checkout here can tell the payer when their bank asks for a confirmation.
import { useEffect } from "react";
import { useTranslator } from "@/components/i18n/I18nProvider";
import { useDealerPath } from "@/components/dealer/DealerPath";
import { rememberManageToken } from "./manage-token";

export function ManageLink({ url, state, userId, token }: { url: string; state: string; userId: number; token: string }) {
  const tr = useTranslator();
  const base = useDealerPath();
  useEffect(() => rememberManageToken(base, userId, token), [base, userId, token]);
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
