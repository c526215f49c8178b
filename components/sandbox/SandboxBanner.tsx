// Shown at the top of every page in sandbox mode (SANDBOX=1): nothing here moves real money. A server
// component with inline styles, so it adds no script and no CSS to the app outside sandbox mode. The proxy's
// HTML error pages (lib/checkout/error-page.ts) carry the same banner.

export const SANDBOX_BANNER_TEXT = "Sandbox: no real money";

export function SandboxBanner() {
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
      <strong>{SANDBOX_BANNER_TEXT}.</strong> Stripe and Navixy are emulated on this computer; cards are test cards.{" "}
      <a href="/sandbox" style={{ color: "inherit", fontWeight: 600 }}>
        Sandbox overview
      </a>
    </div>
  );
}
