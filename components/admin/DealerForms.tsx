// The operator's dealer forms: add a dealer, change its settings, set its console password, check, suspend and
// resume it. Plain form posts to /admin/actions/<name>; secrets are password fields that are never filled in
// again (a stored secret shows only as "set"). A refused form comes back with what was typed, secrets excepted
// and named (`typed`, lib/admin/console-flash.ts).
import type { TypedForm } from "@/lib/admin/console-flash";
import type { DealerPageView } from "@/lib/admin/dealer-console";
import { CONSOLE_PASSWORD_MIN } from "@/lib/admin/dealer-console";
import { DEALER_VARIABLES, SECRET_VARIABLES } from "@/lib/dealers/settings";
import { FormBasics } from "./CsrfField";
import { WithheldNote } from "./Flash";

interface Base {
  csrf: string;
  back: string;
  /** What was typed into this form when it was refused. */
  typed?: TypedForm;
}

/** What each setting is, in a few words (the README's configuration table has the whole story). */
const HINTS: Partial<Record<(typeof DEALER_VARIABLES)[number], string>> = {
  STRIPE_SECRET_KEY: "sk_live_… or sk_test_… (or a restricted rk_ key) of the dealer's own Stripe account",
  STRIPE_PUBLISHABLE_KEY: "pk_live_… or pk_test_… of the same account",
  STRIPE_WEBHOOK_SECRET: "whsec_… of the dealer's webhook endpoint (/api/stripe/webhook/<slug>) in its Stripe dashboard",
  NAVIXY_API_URL: "e.g. https://api.eu.navixy.com/v2",
  NAVIXY_PANEL_LOGIN: "the dealer's Admin Panel login",
  NAVIXY_PANEL_PASSWORD: "its password",
  NAVIXY_CREDIT_METHOD: "panel (default) or refill",
  NAVIXY_API_HASH: "for the refill method only",
  PAYMENT_CURRENCY: "empty: the dealer's currency in Navixy",
  BRAND_NAME: "empty: the dealer's name in Navixy",
  BRAND_LOGO_URL: "empty: the logo in Navixy; else an https URL of an image on the internet (at most 512 KB)",
};

const MAIN = new Set(["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "NAVIXY_API_URL", "NAVIXY_PANEL_LOGIN", "NAVIXY_PANEL_PASSWORD"]);

function VariableField({ name, value, set, prefix, typed }: { name: string; value: string | null; set: boolean; prefix: string; typed?: TypedForm }) {
  const id = `${prefix}-${name}`;
  const hint = HINTS[name as keyof typeof HINTS];
  const secret = SECRET_VARIABLES.has(name);
  return (
    <div className="admin-field">
      <label htmlFor={id}>
        <span className="mono">{name}</span>
        {secret && set && <span className="muted"> (set: type a new value to replace it)</span>}
      </label>
      {secret ? (
        <input id={id} name={`var:${name}`} type="password" autoComplete="off" spellCheck={false} aria-describedby={hint ? `${id}-hint` : undefined} />
      ) : (
        <input
          id={id}
          name={`var:${name}`}
          type="text"
          defaultValue={typed?.values[`var:${name}`] ?? value ?? ""}
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
      )}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {secret && set && (
        <label>
          <input type="checkbox" name={`clear:${name}`} value="yes" defaultChecked={typed?.values[`clear:${name}`] === "yes"} /> Remove it
        </label>
      )}
    </div>
  );
}

function Variables({ prefix, variables, typed }: { prefix: string; variables: { name: string; value: string | null; set: boolean }[]; typed?: TypedForm }) {
  const main = variables.filter((v) => MAIN.has(v.name));
  const more = variables.filter((v) => !MAIN.has(v.name));
  // Opened when one of them was typed into a refused form, so the person sees what came back.
  const typedMore = more.some((v) => (typed?.values[`var:${v.name}`] ?? "") !== (v.value ?? ""));
  return (
    <>
      {main.map((v) => (
        <VariableField key={v.name} prefix={prefix} typed={typed} {...v} />
      ))}
      <details open={typedMore ? true : undefined}>
        <summary>More settings (currency, amounts, capture, branding, receipts, automatic top-up)</summary>
        {more.map((v) => (
          <VariableField key={v.name} prefix={prefix} typed={typed} {...v} />
        ))}
      </details>
    </>
  );
}

export function AddDealerForm({ csrf, back, typed }: Base) {
  const variables = DEALER_VARIABLES.map((name) => ({ name, value: null, set: false }));
  return (
    <form method="post" action="/admin/actions/dealer-add" className="panel" aria-labelledby="add-dealer-heading" data-testid="add-dealer-form" autoComplete="off">
      <h2 id="add-dealer-heading" style={{ marginTop: 0 }}>
        Add a dealer
      </h2>
      <FormBasics csrf={csrf} back={back} />
      <WithheldNote withheld={typed?.withheld} />
      <div className="admin-field">
        <label htmlFor="dealer-slug">Slug (in its addresses: /d/&lt;slug&gt;/)</label>
        <input
          id="dealer-slug"
          name="slug"
          type="text"
          required
          pattern="[a-z0-9][a-z0-9\-]{0,38}[a-z0-9]"
          maxLength={40}
          spellCheck={false}
          aria-describedby="dealer-slug-hint"
          defaultValue={typed?.values.slug ?? ""}
        />
        <small id="dealer-slug-hint" className="muted">
          2-40 lower-case letters, digits and dashes. It cannot be changed later.
        </small>
      </div>
      <div className="admin-field">
        <label htmlFor="dealer-name">Name</label>
        <input id="dealer-name" name="name" type="text" required maxLength={80} defaultValue={typed?.values.name ?? ""} />
      </div>
      <Variables prefix="add" variables={variables} typed={typed} />
      <p className="muted">The setup checks run at once: the dealer goes live (its page takes payments) only when they pass.</p>
      <button type="submit" className="btn">
        Add the dealer
      </button>
    </form>
  );
}

export function ChangeDealerForm({ csrf, back, dealer, typed }: Base & { dealer: DealerPageView }) {
  return (
    <form method="post" action="/admin/actions/dealer-change" className="panel" aria-labelledby="change-dealer-heading" data-testid="change-dealer-form" autoComplete="off">
      <h2 id="change-dealer-heading" style={{ marginTop: 0 }}>
        Settings
      </h2>
      <FormBasics csrf={csrf} back={back} />
      <input type="hidden" name="slug" value={dealer.slug} />
      <WithheldNote withheld={typed?.withheld} />
      <Variables prefix="change" variables={dealer.variables} typed={typed} />
      <p className="muted">Empty settings fall back to their defaults. Secrets are stored sealed and never shown again.</p>
      <button type="submit" className="btn">
        Save and check again
      </button>
    </form>
  );
}

export function ConsolePasswordForm({ csrf, back, dealer, typed }: Base & { dealer: DealerPageView }) {
  return (
    <form method="post" action="/admin/actions/dealer-console-password" className="panel" aria-labelledby="console-login-heading" data-testid="console-password-form" autoComplete="off">
      <h2 id="console-login-heading" style={{ marginTop: 0 }}>
        Console login
      </h2>
      <p>
        {dealer.hasConsoleLogin ? "The dealer can sign in to this console and sees only its own payments." : "The dealer has no console login yet."} It signs in at{" "}
        <span className="mono">/admin/login</span> with the slug <span className="mono">{dealer.slug}</span> and this password.
      </p>
      <FormBasics csrf={csrf} back={back} />
      <input type="hidden" name="slug" value={dealer.slug} />
      <WithheldNote withheld={typed?.withheld} />
      <div className="admin-field">
        <label htmlFor="console-password">New password (at least {CONSOLE_PASSWORD_MIN} characters)</label>
        <input id="console-password" name="password" type="password" autoComplete="new-password" minLength={CONSOLE_PASSWORD_MIN} maxLength={200} />
      </div>
      <div className="admin-field">
        <label htmlFor="console-password-repeat">The same again</label>
        <input id="console-password-repeat" name="repeat" type="password" autoComplete="new-password" minLength={CONSOLE_PASSWORD_MIN} maxLength={200} />
      </div>
      <div className="actions-row">
        <button type="submit" className="btn">
          Set the password
        </button>
        {dealer.hasConsoleLogin && (
          <button type="submit" name="remove" value="yes" className="btn btn-danger" formNoValidate>
            Remove the login
          </button>
        )}
      </div>
    </form>
  );
}

export function DealerStatusForms({ csrf, back, slug, status, typed }: Base & { slug: string; status: string }) {
  return (
    <div className="actions-row">
      {status !== "suspended" && (
        <form method="post" action="/admin/actions/dealer-check">
          <FormBasics csrf={csrf} back={back} />
          <input type="hidden" name="slug" value={slug} />
          <button type="submit" className="btn btn-secondary" data-testid={`check-${slug}`}>
            Run the setup checks
          </button>
        </form>
      )}
      {status === "suspended" ? (
        <form method="post" action="/admin/actions/dealer-resume">
          <FormBasics csrf={csrf} back={back} />
          <input type="hidden" name="slug" value={slug} />
          <button type="submit" className="btn" data-testid={`resume-${slug}`}>
            Resume
          </button>
        </form>
      ) : (
        <details className="destructive" open={typed ? true : undefined}>
          <summary>Suspend…</summary>
          <form method="post" action="/admin/actions/dealer-suspend" data-testid={`suspend-${slug}`}>
            <FormBasics csrf={csrf} back={back} />
            <input type="hidden" name="slug" value={slug} />
            <div className="admin-field">
              <label htmlFor={`suspend-${slug}-comment`}>Why (optional)</label>
              <input id={`suspend-${slug}-comment`} name="comment" type="text" maxLength={200} defaultValue={typed?.values.comment ?? ""} />
            </div>
            <p>
              <label>
                <input type="checkbox" name="confirm" value="yes" required defaultChecked={typed?.values.confirm === "yes"} /> Stop taking payments on its page and refuse its
                console login (money already taken is still credited)
              </label>
            </p>
            <button type="submit" className="btn btn-danger">
              Suspend
            </button>
          </form>
        </details>
      )}
    </div>
  );
}
