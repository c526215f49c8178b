// Shown at the top of every page in sandbox mode (SANDBOX=1): nothing here moves real money. A server
// component with inline styles, so it adds no script and no CSS to the app outside sandbox mode; its words, in the
// payer's language, stay on the server too (lib/sandbox/words.ts). The proxy's HTML error pages and the manage
// page carry the same banner (lib/checkout/error-page.ts sandboxBannerHtml). Its link is the dealer's /sandbox
// (under /d/<slug> for a hosted dealer).
import type { Locale } from "@/lib/i18n/locales";
import { SANDBOX_WORDS } from "@/lib/sandbox/words";

export const SANDBOX_BANNER_TEXT = SANDBOX_WORDS.en.banner;

/** On a phone the banner keeps its first words and the link (the footer says the rest). */
const NARROW_CSS = "@media (max-width:30rem){.sandbox-banner-detail{display:none}}";

export function SandboxBanner({ locale = "en", base = "" }: { locale?: Locale; base?: string }) {
  const words = SANDBOX_WORDS[locale];
  return (
    <div
      role="status"
      data-testid="sandbox-banner"
      style={{
        position: "sticky",
        top: 0,
        zIndex: 1000,
        padding: "0.5rem 1rem",
        background: "#fdb022",
        color: "#1f1300",
        borderBottom: "1px solid #b54708",
        fontSize: "0.875rem",
        lineHeight: 1.4,
        textAlign: "center",
      }}
    >
      <style>{NARROW_CSS}</style>
      <strong>{words.banner}.</strong> <span className="sandbox-banner-detail">{words.detail} </span>
      <a href={`${base}/sandbox`} style={{ color: "inherit", fontWeight: 600 }}>
        {words.overview}
      </a>
    </div>
  );
}
