// Stripe sends the payer back here with ?payment_intent=pi_...&redirect_status=...; we sync that
// PaymentIntent first (a lost webhook never leaves a paid payer waiting), then show and follow its state,
// in the payer's language (chosen by proxy.ts; the checkout puts its own in the return URL's `lang`).
import type { Metadata } from "next";
import { headers } from "next/headers";
import { completePayment } from "@/lib/payments/payment-status";
import { dealerBasePath, servicesForRequest } from "@/lib/server/request-dealer";
import type { Services } from "@/lib/server/services";
import { PaymentResult } from "@/components/payment/PaymentResult";
import { manageLinkForReturn } from "@/lib/autotopup/manage";
import { translatorFor } from "@/lib/i18n/messages";
import { localeFromHeaders } from "@/lib/i18n/request";
import { dealerBrand } from "@/lib/branding/dealer-brand";
import { moneyTemplate } from "@/lib/money";
import { chooseLocale } from "@/lib/i18n/negotiate";
import type { Locale } from "@/lib/i18n/locales";

export const dynamic = "force-dynamic";

async function pageLocale(): Promise<Locale> {
  return localeFromHeaders(await headers()) ?? "en";
}

/** `?lang=` for a link the payer keeps, when their browser alone would not open it in this page's language. */
async function langToKeep(locale: Locale): Promise<string> {
  const browser = chooseLocale({ acceptLanguage: (await headers()).get("accept-language") }).locale;
  return browser === locale ? "" : `lang=${locale}`;
}

export async function generateMetadata(): Promise<Metadata> {
  const t = translatorFor(await pageLocale());
  return { title: t.t("meta.titleWith", { page: t.t("result.pageTitle") }) };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function PaymentCompletePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const locale = await pageLocale();
  const t = translatorFor(locale);
  const raw = params.payment_intent;
  const paymentIntentId = Array.isArray(raw) ? raw[0] : raw;
  const rawSecret = params.payment_intent_client_secret;

  let services: Services;
  let result: Awaited<ReturnType<typeof completePayment>>;
  try {
    services = await servicesForRequest(await headers());
    result = await completePayment(services, paymentIntentId);
  } catch (error) {
    console.error("Return page could not read the payment:", error instanceof Error ? error.message : error);
    return <Message state="unavailable" tone="warning" title={t.t("result.unavailable.title")} text={t.t("result.unavailable.message")} />;
  }

  if (!result) {
    return <Message state="not_found" tone="error" title={t.t("result.notFound.title")} text={t.t("result.notFound.message")} />;
  }

  // The payment that set up automatic top-up: its manage link (only with the client secret Stripe's redirect carries).
  const link = await manageLinkForReturn(services, paymentIntentId, Array.isArray(rawSecret) ? rawSecret[0] : rawSecret).catch(() => null);
  // The manage page opens in the language the payer set automatic top-up up in (the token is in the path; `lang`
  // is not part of what is signed).
  const keep = await langToKeep(locale);
  const autoTopUp = link && keep ? { ...link, url: `${link.url}${link.url.includes("?") ? "&" : "?"}${keep}` } : link;

  // "Try again" goes back to the dealer's checkout (under /d/<slug> for a hosted one) in the same language.
  const retryPath = `${dealerBasePath(services.dealer)}${result.retryPath}${result.retryPath.includes("?") ? "&" : "?"}lang=${locale}`;
  // Back to the dealer's tracking app: its user interface's domain in Navixy (none known: no link).
  const brand = await dealerBrand(services).catch(() => null);
  const back = brand?.homeUrl ? { url: brand.homeUrl, name: brand.name } : null;
  return <PaymentResult initial={result.view} retryPath={retryPath} autoTopUp={autoTopUp} back={back} money={moneyTemplate(locale, result.view.currency)} />;
}

function Message({ state, tone, title, text }: { state: string; tone: "warning" | "error"; title: string; text: string }) {
  return (
    <div className="result" data-tone={tone} data-testid="payment-status" data-state={state}>
      <span className="result-icon" aria-hidden="true">
        !
      </span>
      <h1>{title}</h1>
      <p>{text}</p>
    </div>
  );
}
