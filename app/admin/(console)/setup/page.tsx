import type { Metadata } from "next";
import { Flash } from "@/components/admin/Flash";
import { FormBasics } from "@/components/admin/CsrfField";
import { requireAdminPage } from "@/lib/admin/page-session";
import { WEBHOOK_EVENTS, paymentSystemUrl, runSetupChecks, walletDomain, webhookUrl } from "@/lib/admin/setup";
import { brandReport } from "@/lib/admin/brand-report";

export const metadata: Metadata = { title: "Setup" };

const STATE_TEXT = { ok: "OK", failed: "Problem", unknown: "Not checked yet" } as const;

export default async function SetupPage() {
  const { session, services } = await requireAdminPage();
  // A dealer signed in with its own login is told nothing of the other dealers; the operator is told which.
  const [checks, look] = await Promise.all([runSetupChecks(services, { viewer: session.role }), brandReport(services)]);
  const live = services.config.stripe.livemode;
  const warnings = checks.flatMap((c) => (c.warning ? [{ id: c.id, text: c.warning }] : []));
  return (
    <>
      <h1>Setup</h1>
      {warnings.map((w) => (
        <div key={w.id} className="flash" data-kind="error" role="alert" data-testid="setup-warning" data-check={w.id}>
          {w.text}
        </div>
      ))}
      <Flash />
      <section className="panel" aria-labelledby="navixy-setup">
        <h2 id="navixy-setup" style={{ marginTop: 0 }}>
          1. Navixy
        </h2>
        <p>
          Admin Panel → Service Preferences → <strong>Payment system URL</strong>:
        </p>
        <code className="copy-box" data-testid="payment-system-url">
          {paymentSystemUrl(services)}
        </code>
        <p className="muted">Navixy replaces {"{id}"} with the end user&apos;s id; the Add money link then appears in the user&apos;s Account section.</p>
      </section>
      <section className="panel" aria-labelledby="stripe-setup">
        <h2 id="stripe-setup" style={{ marginTop: 0 }}>
          2. Stripe ({live ? "live mode" : "test mode"})
        </h2>
        <p>Webhook endpoint URL:</p>
        <code className="copy-box" data-testid="webhook-url">
          {webhookUrl(services)}
        </code>
        <p>With exactly these events:</p>
        <ul data-testid="webhook-events">
          {WEBHOOK_EVENTS.map((e) => (
            <li key={e} className="mono">
              {e}
            </li>
          ))}
        </ul>
        <p>Create it in the dashboard (Developers → Webhooks → Add endpoint), or let the gateway create it with its secret key:</p>
        <form method="post" action="/admin/actions/create-webhook">
          <FormBasics csrf={session.csrfToken} back="/admin/setup" />
          <button type="submit" className="btn" data-testid="create-webhook">
            Create the webhook endpoint in Stripe
          </button>
        </form>
        <p className="muted">The signing secret is shown once, on the next page: put it into STRIPE_WEBHOOK_SECRET and restart.</p>
      </section>
      <section className="panel" aria-labelledby="wallets-setup">
        <h2 id="wallets-setup" style={{ marginTop: 0 }}>
          3. Apple Pay and Google Pay
        </h2>
        <p>
          The payment form shows wallets only on a domain registered with Stripe. This gateway&apos;s domain (from PUBLIC_URL):
        </p>
        <code className="copy-box" data-testid="wallet-domain">
          {walletDomain(services)}
        </code>
        <p>Its status per wallet is in the live checks below. Register it with Stripe, or have Stripe check it again after fixing a problem:</p>
        <form method="post" action="/admin/actions/register-wallet-domain">
          <FormBasics csrf={session.csrfToken} back="/admin/setup" />
          <button type="submit" className="btn" data-testid="register-wallet-domain">
            Register the domain with Stripe
          </button>
        </form>
        <p className="muted">Turn the wallets on in the Stripe dashboard too (Settings → Payment methods).</p>
      </section>
      <section className="panel" aria-labelledby="look-setup" data-testid="brand-report">
        <h2 id="look-setup" style={{ marginTop: 0 }}>
          4. The payer&apos;s page
        </h2>
        <p className="muted">
          Taken from Navixy (the dealer&apos;s logo, favicon, service title and colour theme); BRAND_NAME, BRAND_LOGO_URL and BRAND_COLOR
          override them.
        </p>
        <dl className="stat-list">
          <dt>Name</dt>
          <dd data-testid="brand-name">{look.brand.name ?? "none"}</dd>
          <dt>Logo</dt>
          <dd data-testid="brand-logo">
            {look.logoShown ? (
              // eslint-disable-next-line @next/next/no-img-element -- the dealer's own image, from our route
              <img src="/brand/logo" alt={look.brand.name ?? "Logo"} style={{ maxHeight: "2.5rem", maxWidth: "12.5rem" }} />
            ) : (
              "none"
            )}
          </dd>
          <dt>Colour</dt>
          <dd data-testid="brand-color">
            {look.brand.color ? (
              <>
                {look.brand.color.chosen} ({look.brand.color.source === "BRAND_COLOR" ? "BRAND_COLOR" : "Navixy"}): light page{" "}
                <span className="mono">{look.brand.color.light.accent}</span> ({look.brand.color.light.contrast}:1), dark page{" "}
                <span className="mono">{look.brand.color.dark.accent}</span> ({look.brand.color.dark.contrast}:1)
              </>
            ) : (
              "the gateway's own"
            )}
          </dd>
        </dl>
        {look.notes.map((n) => (
          <p key={n} className="muted" data-testid="brand-note">
            {n}
          </p>
        ))}
      </section>
      <section className="panel" aria-labelledby="checks-heading">
        <h2 id="checks-heading" style={{ marginTop: 0 }}>
          Live checks
        </h2>
        <ul className="checks" data-testid="setup-checks">
          {checks.map((c) => (
            <li key={c.id} data-check={c.id} data-state={c.state}>
              <span className="check-dot" data-state={c.state} aria-hidden="true" />
              <div>
                <strong>{c.label}</strong>: <span>{STATE_TEXT[c.state]}</span>
                <div className="muted">{c.detail}</div>
                {c.parts && (
                  <ul className="checks" data-testid="check-parts">
                    {c.parts.map((p) => (
                      <li key={p.label} data-part={p.label} data-state={p.state}>
                        <span className="check-dot" data-state={p.state} aria-hidden="true" />
                        <div>
                          {p.label}: <span className="muted">{p.detail}</span>
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </li>
          ))}
        </ul>
        <p>
          <a href="/admin/setup" className="btn btn-secondary">
            Check again
          </a>
        </p>
      </section>
    </>
  );
}
