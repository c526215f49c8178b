"use client";
// "Send a receipt to this account's e-mail (j***@e***.com)": the page knows only the masked address; with the box
// ticked the server asks Stripe to e-mail its receipt to the account's login once the payment succeeds
// (lib/payments/receipts.ts).
import { useTranslator } from "@/components/i18n/I18nProvider";

export function ReceiptOptIn({ maskedEmail, checked, onChange }: { maskedEmail: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const tr = useTranslator();
  return (
    <div className="field" data-testid="receipt-optin">
      <label style={{ display: "flex", gap: "0.625rem", alignItems: "flex-start", cursor: "pointer" }}>
        <input
          type="checkbox"
          checked={checked}
          data-testid="receipt-checkbox"
          style={{ width: "1.125rem", height: "1.125rem", marginTop: "0.2rem", flex: "none" }}
          onChange={(e) => onChange(e.target.checked)}
        />
        {/* The address is isolated (FSI…PDI) so it reads left to right inside an Arabic, Persian or Hebrew sentence. */}
        <span data-testid="receipt-label">{tr.t("checkout.receipt", { email: `\u2068${maskedEmail}\u2069` })}</span>
      </label>
    </div>
  );
}
