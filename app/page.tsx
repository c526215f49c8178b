// The checkout a Navixy "Add money" link opens: /?id=<navixy user id>. proxy.ts has already loaded the
// checkout (and answered 400/404/503 itself when it could not); it passes the result in a request header,
// and the payer's language in another (lib/i18n/request.ts).
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { loadCheckout, type CheckoutProps } from "@/lib/checkout/load-checkout";
import { checkoutError } from "@/lib/checkout/error-page";
import { translatorFor } from "@/lib/i18n/messages";
import { localeFromHeaders } from "@/lib/i18n/request";
import type { Translator } from "@/lib/i18n/translate";
import { servicesForRequest } from "@/lib/server/request-dealer";
import { Checkout } from "@/components/checkout/Checkout";
import { CHECKOUT_HEADER, decodeCheckoutHeader } from "@/components/checkout/checkout-header";
import { moneyTemplate } from "@/lib/money";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function CheckoutPage({ searchParams }: { searchParams: SearchParams }) {
  const requestHeaders = await headers();
  const t = translatorFor(localeFromHeaders(requestHeaders) ?? "en");
  let checkout: CheckoutProps | null = decodeCheckoutHeader(requestHeaders.get(CHECKOUT_HEADER));
  if (!checkout) {
    // Only if the proxy did not run: load it here (the status code cannot be set from a page).
    const result = await loadCheckout(await servicesForRequest(requestHeaders), (await searchParams).id);
    if (result.kind === "unavailable") return <Unavailable t={t} />;
    if (result.kind !== "ok") notFound();
    checkout = result.checkout;
  }

  return (
    <>
      <h1>{t.t("checkout.title")}</h1>
      <p className="account" data-testid="account">
        {t.t("checkout.account")}{" "}
        <strong>
          <bdi>{checkout.maskedName}</bdi>
        </strong>
      </p>
      {/* Money as the server writes it in this language, whatever the browser's Intl knows. */}
      <Checkout checkout={checkout} money={moneyTemplate(t.locale, checkout.currency)} />
    </>
  );
}

function Unavailable({ t }: { t: Translator }) {
  const { title, message } = checkoutError("unavailable", t);
  return (
    <div className="result" data-tone="warning" role="alert">
      <span className="result-icon" aria-hidden="true">
        !
      </span>
      <h1>{title}</h1>
      <p>{message}</p>
    </div>
  );
}
