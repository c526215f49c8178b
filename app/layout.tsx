import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { isSandboxMode } from "@/lib/sandbox/mode";
import { clientMessages, translatorFor } from "@/lib/i18n/messages";
import { SANDBOX_WORDS } from "@/lib/sandbox/words";
import { SANDBOX_CARD_WORDS } from "@/lib/sandbox/card-words";
import { localeFromHeaders } from "@/lib/i18n/request";
import { SandboxBanner } from "@/components/sandbox/SandboxBanner";
import { I18nProvider } from "@/components/i18n/I18nProvider";
import { LanguageSwitcher } from "@/components/i18n/LanguageSwitcher";
import { BrandProvider } from "@/components/branding/BrandProvider";
import { DealerHeader } from "@/components/branding/DealerHeader";
import { NO_BRAND, brandCss } from "@/lib/branding/brand";
import { pageBrand, type PageBrand } from "@/lib/branding/dealer-brand";
import { dealerBasePath, servicesForRequest } from "@/lib/server/request-dealer";
import { DealerPathProvider } from "@/components/dealer/DealerPath";
import "./globals.css";

const NO_PAGE_BRAND: PageBrand = { brand: NO_BRAND, logo: false, favicon: false };

/** The request's dealer: its look (on the payer's pages only; the console keeps the gateway's) and path prefix. */
async function dealerOf(payerLocale: string | null): Promise<{ page: PageBrand; base: string }> {
  if (!payerLocale) return { page: NO_PAGE_BRAND, base: "" };
  try {
    const services = await servicesForRequest(await headers());
    return { page: await pageBrand(services), base: dealerBasePath(services.dealer) };
  } catch {
    return { page: NO_PAGE_BRAND, base: "" };
  }
}

export async function generateMetadata(): Promise<Metadata> {
  const payerLocale = localeFromHeaders(await headers());
  const t = translatorFor(payerLocale ?? "en");
  const { page, base } = await dealerOf(payerLocale);
  return {
    title: t.t("meta.title"),
    description: t.t("meta.description"),
    robots: { index: false, follow: false },
    icons: { icon: page.favicon ? `${base}/brand/favicon` : "/favicon.svg" },
    referrer: "strict-origin-when-cross-origin",
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f3f5f8" },
    { media: "(prefers-color-scheme: dark)", color: "#0e141b" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Sandbox mode is a run-time setting: no page may be prerendered with (or without) it at build time.
  await connection();
  const sandbox = isSandboxMode();
  // The payer's language, chosen by proxy.ts; none on the dealer console, which stays in English.
  const payerLocale = localeFromHeaders(await headers());
  const locale = payerLocale ?? "en";
  const t = translatorFor(locale);
  const { page, base } = await dealerOf(payerLocale);
  const css = brandCss(page.brand);
  const accent = page.brand.color ? { light: page.brand.color.light.accent, dark: page.brand.color.dark.accent } : null;
  return (
    <html lang={locale} dir={t.dir}>
      <head>
        {/* The dealer's colour: only #rrggbb values computed on the server (lib/branding/palette.ts). */}
        {css && <style data-testid="brand-style" dangerouslySetInnerHTML={{ __html: css }} />}
        {/* Sandbox mode: a local stand-in for Stripe.js, loaded (blocking) before the app's scripts so that
            @stripe/stripe-js finds window.Stripe and never reaches for js.stripe.com. It calls the dealer's own
            Stripe emulator through the dealer's forwarder (under /d/<slug> for a hosted dealer), and its card form
            speaks the page's language. */}
        {sandbox && (
          <script
            src={`${base}/sandbox/stripe.js`}
            data-api={`${base}/sandbox/stripe-api`}
            data-locale={locale}
            data-words={JSON.stringify(SANDBOX_CARD_WORDS[locale])}
          />
        )}
      </head>
      <body>
        <I18nProvider locale={locale} messages={clientMessages(locale)}>
          <BrandProvider accent={accent} name={page.brand.name}>
            <DealerPathProvider base={base}>
          {sandbox && <SandboxBanner locale={locale} base={base} />}
          <div className="shell">
            {payerLocale && <DealerHeader page={page} base={base} />}
            <div className="brand">
              <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path
                  fill="currentColor"
                  d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Z"
                />
              </svg>
              <span>{t.t("shell.secure")}</span>
              {payerLocale && <LanguageSwitcher />}
            </div>
            <main className="card">{children}</main>
            <p className="footer">{sandbox ? SANDBOX_WORDS[locale].footer : t.t("shell.footer")}</p>
          </div>
            </DealerPathProvider>
          </BrandProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
