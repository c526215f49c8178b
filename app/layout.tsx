import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { isSandboxMode } from "@/lib/sandbox/mode";
import { SandboxBanner } from "@/components/sandbox/SandboxBanner";
import "./globals.css";

export const metadata: Metadata = {
  title: "Add money",
  description: "Add money to your tracking account balance.",
  robots: { index: false, follow: false },
  icons: { icon: "/favicon.svg" },
  referrer: "strict-origin-when-cross-origin",
};

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
  return (
    <html lang="en">
      <head>
        {/* Sandbox mode: a local stand-in for Stripe.js, loaded (blocking) before the app's scripts so that
            @stripe/stripe-js finds window.Stripe and never reaches for js.stripe.com. */}
        {sandbox && <script src="/sandbox/stripe.js" />}
      </head>
      <body>
        {sandbox && <SandboxBanner />}
        <div className="shell">
          <p className="brand">
            <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path
                fill="currentColor"
                d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Z"
              />
            </svg>
            Secure payment
          </p>
          <main className="card">{children}</main>
          <p className="footer">
            {sandbox
              ? "Sandbox: payments go to a Stripe emulator on this computer. Use test cards only; no real money moves."
              : "Payments are processed by Stripe. Your card details go directly to Stripe and are never stored on this site."}
          </p>
        </div>
      </body>
    </html>
  );
}
