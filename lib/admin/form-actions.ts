// The console's form posts (POST /admin/actions/<action>): each reads its form, runs one console action and
// words the outcome for the person: a notice, or a whole page when there is more to show (a new webhook
// endpoint's signing secret). Refusals meant for the person are thrown as AdminActionError.
import { reconcileDayNow } from "./reconciliation";
import { formatMoney, parseConsoleAmount } from "../money";
import type { Services } from "../server/services";
import { AdminActionError, adminCapture, adminRelease, adminRetryMovement, refundPayment, resolveMovement } from "./actions";
import { changeRule } from "./autotopup";
import { escapeHtml, htmlPage } from "./html";
import { formString, type AdminRequest } from "./http";
import { createWebhookEndpoint, registerWalletDomain } from "./setup";
import { DealerInputError } from "../dealers/directory";
import { DEALER_VARIABLES, DealerSettingsError, SECRET_VARIABLES } from "../dealers/settings";
import { SecretOpenError, SecretsKeyError } from "../dealers/secret-box";
import { addDealerChecked, changeDealer, checkDealer, resumeDealer, suspendDealer, type DealerCheckReport } from "./dealers";
import { dealerPage, setDealerConsolePassword, switchDealer } from "./dealer-console";

export type ConsoleFormAction = (services: Services, r: AdminRequest) => Promise<string | Response>;

/**
 * An amount typed into a refund or capture form, read in the payment's own currency as the console's English
 * writes it, a decimal comma too ("30,5"); text with two readings is refused, not guessed. Empty: all of it.
 */
async function typedAmount(services: Services, paymentId: string, text: string): Promise<number | undefined> {
  if (!text) return undefined;
  const payment = await services.db.payment.findUnique({ where: { id: paymentId }, select: { currency: true } });
  if (!payment) throw new AdminActionError(`No payment ${paymentId}.`);
  const amount = parseConsoleAmount(text, payment.currency);
  if (!amount.ok) throw new AdminActionError(`${amount.problem}.`);
  if (amount.minor <= 0) throw new AdminActionError(`"${text}" is not an amount in ${payment.currency.toUpperCase()}: write more than 0.`);
  return amount.minor;
}

/**
 * The operator's actions (dealers): a dealer's own login is refused with 403, and a refusal of the dealer
 * directory (a bad slug or setting, SECRETS_KEY missing) is worded for the person like any other.
 */
function operatorOnly(action: ConsoleFormAction): ConsoleFormAction {
  return async (services, r) => {
    if (r.session.role !== "operator") {
      return new Response("Refused: only the operator (ADMIN_PASSWORD) manages dealers.", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    try {
      return await action(services, r);
    } catch (error) {
      if (error instanceof DealerInputError || error instanceof DealerSettingsError || error instanceof SecretsKeyError || error instanceof SecretOpenError) {
        throw new AdminActionError(error.message);
      }
      throw error;
    }
  };
}

/** The dealer variables a form sets: fields named "var:<NAME>". Secrets left empty are kept; "clear:<NAME>" removes one. */
export function dealerFormValues(form: FormData, current: Record<string, string | null> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of DEALER_VARIABLES) {
    const field = `var:${name}`;
    if (SECRET_VARIABLES.has(name)) {
      const typed = formString(form, field);
      if (typed) values[name] = typed;
      else if (form.get(`clear:${name}`) === "yes") values[name] = "";
    } else if (form.has(field)) {
      const typed = formString(form, field);
      if (typed !== (current[name] ?? "")) values[name] = typed;
    }
  }
  return values;
}

function reportText(r: DealerCheckReport): string {
  if (r.dealer.status === "active") return `${r.dealer.name} (${r.dealer.slug}) is live: its payer's page is ${r.paymentSystemUrl}.`;
  if (r.dealer.status === "suspended") return `${r.dealer.name} (${r.dealer.slug}) is suspended.`;
  return `${r.dealer.name} (${r.dealer.slug}) stays in setup until these pass: ${r.blocking.map((c) => `${c.label} (${c.detail})`).join("; ") || "none failing now: run the checks again"}.`;
}

const DEALER_ACTIONS: Record<string, ConsoleFormAction> = {
  async "dealer-add"(_services, { who, form }) {
    const values = dealerFormValues(form);
    const report = await addDealerChecked(who, { slug: formString(form, "slug").toLowerCase(), name: formString(form, "name"), values });
    return `Dealer added. ${reportText(report)}`;
  },
  async "dealer-change"(_services, { who, form }) {
    const slug = formString(form, "slug");
    const page = await dealerPage(slug);
    if (!page) throw new AdminActionError(`There is no dealer "${slug}".`);
    const current = Object.fromEntries(page.variables.map((v) => [v.name, v.value]));
    const changes = dealerFormValues(form, current);
    if (Object.keys(changes).length === 0) return "Nothing was changed.";
    const report = await changeDealer(who, slug, changes);
    return `Changed ${Object.keys(changes).sort().join(", ")}. ${reportText(report)}`;
  },
  async "dealer-check"(_services, { who, form }) {
    return reportText(await checkDealer(who, formString(form, "slug")));
  },
  async "dealer-suspend"(_services, { who, form }) {
    if (formString(form, "confirm") !== "yes") throw new AdminActionError("Tick the confirmation box to suspend the dealer.");
    const row = await suspendDealer(who, formString(form, "slug"), formString(form, "comment") || null);
    return `${row.name} (${row.slug}) is suspended: its payer's page no longer takes payments, its console login is refused, and money already taken is still credited.`;
  },
  async "dealer-resume"(_services, { who, form }) {
    return reportText(await resumeDealer(who, formString(form, "slug")));
  },
  async "dealer-console-password"(_services, { who, form }) {
    const slug = formString(form, "slug");
    if (form.get("remove") === "yes") {
      await setDealerConsolePassword(who, slug, null);
      return `The console login of ${slug} is removed; its sessions ended.`;
    }
    const password = typeof form.get("password") === "string" ? (form.get("password") as string) : "";
    if (password !== (typeof form.get("repeat") === "string" ? form.get("repeat") : "")) throw new AdminActionError("The two passwords differ.");
    await setDealerConsolePassword(who, slug, password);
    return `The console password of ${slug} is set; any session of the old one ended. The dealer signs in at /admin/login with its slug.`;
  },
};

const ACTIONS: Record<string, ConsoleFormAction> = {
  ...Object.fromEntries(Object.entries(DEALER_ACTIONS).map(([name, action]) => [name, operatorOnly(action)])),
  async "switch-dealer"(_services, { session, who, form }) {
    if (session.role !== "operator") return new Response("Refused: a dealer's login sees only its own dealer.", { status: 403 });
    try {
      const dealer = await switchDealer(session, who, formString(form, "dealer"));
      return `Now working on ${dealer.name}.`;
    } catch (error) {
      if (error instanceof DealerInputError) throw new AdminActionError(error.message);
      throw error;
    }
  },
  async reconcile(services, { who, form }) {
    const day = formString(form, "day");
    const outcome = await reconcileDayNow(services, who, day);
    if (!outcome.ok) throw new AdminActionError(outcome.message);
    const n = outcome.result?.differences.length ?? 0;
    return `${day} reconciled: ${n === 0 ? "balanced" : `${n} difference${n === 1 ? "" : "s"}`}.`;
  },
  async retry(services, { who, form }) {
    const movementId = formString(form, "movementId");
    const { state } = await adminRetryMovement(services, who, movementId);
    return state === "unknown" ? `Movement ${movementId} is being sent again (looked up in Navixy first).` : `Movement ${movementId} is already ${state}.`;
  },
  async resolve(services, { who, form }) {
    const movementId = formString(form, "movementId");
    const applied = formString(form, "applied");
    if (applied !== "yes" && applied !== "no") throw new AdminActionError("Say whether the change was made by hand in Navixy.");
    const { state, changed } = await resolveMovement(services, who, { movementId, appliedInNavixy: applied === "yes", comment: formString(form, "comment") });
    return changed ? `Movement ${movementId} marked ${state}.` : `Movement ${movementId} was already ${state}.`;
  },
  async refund(services, { who, form }) {
    const paymentId = formString(form, "paymentId");
    if (formString(form, "confirm") !== "yes") throw new AdminActionError("Tick the confirmation box to refund.");
    const amount = await typedAmount(services, paymentId, formString(form, "amount"));
    const payment = await refundPayment(services, who, { paymentId, amount, nonce: formString(form, "nonce"), comment: formString(form, "comment") });
    return `Refund sent to Stripe. ${formatMoney(payment.amountRefunded, payment.currency)} refunded in total; the Navixy balance is debited next.`;
  },
  async capture(services, { who, form }) {
    const paymentId = formString(form, "paymentId");
    const amount = await typedAmount(services, paymentId, formString(form, "amount"));
    const payment = await adminCapture(services, who, { paymentId, amount });
    return `Captured ${formatMoney(payment.amountReceived, payment.currency)}; the credit follows.`;
  },
  async release(services, { who, form }) {
    const paymentId = formString(form, "paymentId");
    const payment = await adminRelease(services, who, { paymentId, comment: formString(form, "comment") });
    return `Payment ${payment.id} is ${payment.status}: the authorization is released.`;
  },
  async "rule-pause"(services, { who, form }) {
    const { after } = await changeRule(services, who, "rule.pause", formString(form, "ruleId"));
    return `Automatic top-up for Navixy user ${after.navixyUserId} is paused.`;
  },
  async "rule-resume"(services, { who, form }) {
    const { after } = await changeRule(services, who, "rule.resume", formString(form, "ruleId"));
    return `Automatic top-up for Navixy user ${after.navixyUserId} is active again.`;
  },
  async "rule-disable"(services, { who, form }) {
    if (formString(form, "confirm") !== "yes") throw new AdminActionError("Tick the confirmation box to turn the automatic top-up off.");
    const { after } = await changeRule(services, who, "rule.disable", formString(form, "ruleId"));
    return `Automatic top-up for Navixy user ${after.navixyUserId} is turned off.`;
  },
  async "create-webhook"(services, { who }) {
    const outcome = await createWebhookEndpoint(services, who);
    switch (outcome.kind) {
      case "refused":
        throw new AdminActionError(outcome.message);
      case "exists":
        return `Stripe already has an endpoint for ${outcome.url} (${outcome.endpointId}): its signing secret is in the Stripe dashboard. Delete it there to create a new one here.`;
      case "created":
        if (!services.dealer.isDefault) {
          // A hosted dealer's secret goes straight into its sealed settings: nobody needs to see or copy it.
          const report = await changeDealer(who, services.dealer.slug, { STRIPE_WEBHOOK_SECRET: outcome.secret });
          return `Stripe will send the dealer's events to ${outcome.url} (endpoint ${outcome.endpointId}); its signing secret is stored, sealed. ${reportText(report)}`;
        }
        // The signing secret is shown once, in this answer only: it is never stored or put in a URL.
        return htmlPage(
          201,
          "Webhook endpoint created",
          `<p>Stripe will send the gateway's events to <strong>${escapeHtml(outcome.url)}</strong> (endpoint ${escapeHtml(outcome.endpointId)}).</p>
<p>Put this signing secret into <strong>STRIPE_WEBHOOK_SECRET</strong> and restart the gateway:</p>
<code data-testid="webhook-secret">${escapeHtml(outcome.secret)}</code>
<p class="warn" role="note">It is shown only this once. Copy it now.</p>
<p><a href="/admin/setup">Back to Setup</a></p>`,
        );
    }
  },
  async "register-wallet-domain"(services, { who }) {
    // Registers PUBLIC_URL's host for Apple Pay / Google Pay, or has Stripe check it again; says where each wallet stands.
    const outcome = await registerWalletDomain(services, who);
    if (outcome.kind === "refused") throw new AdminActionError(outcome.message);
    const wallets = (outcome.status.registered?.wallets ?? []).map((w) => `${w.label} ${w.active ? "active" : "inactive"}`).join(", ");
    return `${outcome.status.domain} ${outcome.kind === "created" ? "is registered with Stripe" : "was checked again by Stripe"} (${outcome.domainId}): ${wallets}.`;
  },
};

/** The form action named in the URL; undefined for a name that is not one (never an inherited property). */
export function consoleFormAction(name: string): ConsoleFormAction | undefined {
  return Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
}
