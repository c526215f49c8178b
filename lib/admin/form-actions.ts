// The console's form posts (POST /admin/actions/<action>): each reads its form, runs one console action and
// words the outcome for the person: a notice, or a whole page when there is more to show (a new webhook
// endpoint's signing secret). Refusals meant for the person are thrown as AdminActionError.
import { formatMoney, parseMajorAmount } from "../money";
import type { Services } from "../server/services";
import { AdminActionError, adminCapture, adminRelease, adminRetryMovement, refundPayment, resolveMovement } from "./actions";
import { changeRule } from "./autotopup";
import { escapeHtml, htmlPage } from "./html";
import { formString, type AdminRequest } from "./http";
import { createWebhookEndpoint, registerWalletDomain } from "./setup";

export type ConsoleFormAction = (services: Services, r: AdminRequest) => Promise<string | Response>;

/** An amount typed into a refund or capture form, read in the payment's own currency; empty: all of it. */
async function typedAmount(services: Services, paymentId: string, text: string): Promise<number | undefined> {
  if (!text) return undefined;
  const payment = await services.db.payment.findUnique({ where: { id: paymentId }, select: { currency: true } });
  if (!payment) throw new AdminActionError(`No payment ${paymentId}.`);
  const minor = parseMajorAmount(text, payment.currency);
  if (minor === null || minor <= 0) throw new AdminActionError(`"${text}" is not an amount in ${payment.currency.toUpperCase()}.`);
  return minor;
}

const ACTIONS: Record<string, ConsoleFormAction> = {
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
