// POST /admin/actions/<action>: every console action, as a plain form post (works without JavaScript).
// Each answers 303 back to the page it came from, with a notice or an error to show.
import { AdminActionError, adminCapture, adminRelease, adminRetryMovement, refundPayment, resolveMovement } from "@/lib/admin/actions";
import { escapeHtml, htmlPage } from "@/lib/admin/html";
import { formString, redirectWithFlash, safeBack, withAdmin, type AdminRequest } from "@/lib/admin/http";
import { createWebhookEndpoint } from "@/lib/admin/setup";
import { changeRule } from "@/lib/admin/autotopup";
import { formatMoney, parseMajorAmount } from "@/lib/money";
import type { Services } from "@/lib/server/services";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

type Handler = (services: Services, r: AdminRequest) => Promise<string | Response>;

async function amountFor(services: Services, paymentId: string, text: string): Promise<number | undefined> {
  if (!text) return undefined;
  const payment = await services.db.payment.findUnique({ where: { id: paymentId }, select: { currency: true } });
  if (!payment) throw new AdminActionError(`No payment ${paymentId}.`);
  const minor = parseMajorAmount(text, payment.currency);
  if (minor === null || minor <= 0) throw new AdminActionError(`"${text}" is not an amount in ${payment.currency.toUpperCase()}.`);
  return minor;
}

const ACTIONS: Record<string, Handler> = {
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
    const amount = await amountFor(services, paymentId, formString(form, "amount"));
    const payment = await refundPayment(services, who, { paymentId, amount, nonce: formString(form, "nonce"), comment: formString(form, "comment") });
    return `Refund sent to Stripe. ${formatMoney(payment.amountRefunded, payment.currency)} refunded in total; the Navixy balance is debited next.`;
  },
  async capture(services, { who, form }) {
    const paymentId = formString(form, "paymentId");
    const amount = await amountFor(services, paymentId, formString(form, "amount"));
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
};

export async function POST(request: Request, ctx: { params: Promise<{ action: string }> }): Promise<Response> {
  const services = getServices();
  const { action } = await ctx.params;
  return withAdmin(services, request, async (r) => {
    const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!handler) return new Response(`Unknown action ${action}`, { status: 404 });
    const back = safeBack(r.form.get("back"));
    try {
      const result = await handler(services, r);
      return typeof result === "string" ? redirectWithFlash(services, back, "notice", result) : result;
    } catch (error) {
      if (error instanceof AdminActionError) return redirectWithFlash(services, back, "error", error.message);
      console.error(`Console action ${action} failed:`, error instanceof Error ? error.message : error);
      return redirectWithFlash(services, back, "error", `The action failed: ${error instanceof Error ? error.message.slice(0, 200) : "unexpected error"}. Nothing was changed unless the page now says otherwise; you can try again.`);
    }
  });
}
