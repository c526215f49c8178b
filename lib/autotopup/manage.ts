// The payer's manage link: /topup/manage/<token> (GET, the page; POST, its two forms: turn off, change). The token is the only credential (lib/autotopup/token.ts): forged → 403, expired or
// revoked → 410, each a clear page. The forms carry the token itself (so a cross-site form cannot be built
// without knowing it) and the POST also checks that the Origin (or, without one, the Referer) is PUBLIC_URL's.
// Turning off is one click and always available while the rule is not already off.
import { timingSafeEqual } from "node:crypto";
import { errorPageResponse, type ErrorPageInput } from "../checkout/error-page";
import { amountLimits } from "../payments/limits";
import { parseMajorAmount } from "../money";
import type { AutoTopUpRule } from "../db/generated/sqlite/client";
import type { Services } from "../server/services";
import { logger } from "../logging/logger";
import { renderManagePage, type ManagePageModel } from "./manage-html";
import { chargedThisMonth } from "./scheduler";
import { isOff } from "./states";
import { mandateText, termsProblem, type AutoTopUpTerms } from "./terms";
import { manageUrl, verifyManageToken } from "./token";

export const LINK_ERRORS = {
  forged: {
    status: 403,
    title: "This link is not valid",
    message: "This automatic top-up link is not valid. Open the exact link you were given, or contact your service provider.",
  },
  expired: {
    status: 410,
    title: "This link has expired",
    message:
      "This automatic top-up link has expired. Automatic top-up itself keeps working. To change it or turn it off, contact your service provider, or set it up again the next time you add money.",
  },
  revoked: {
    status: 410,
    title: "This link no longer works",
    message:
      "This automatic top-up link has been replaced (for example, automatic top-up was set up again with another card). Use the newest link you were given, or contact your service provider.",
  },
  origin: {
    status: 403,
    title: "Request refused",
    message: "This form can only be sent from the automatic top-up page itself. Open your link again and retry.",
  },
} as const satisfies Record<string, ErrorPageInput>;
export type LinkError = keyof typeof LINK_ERRORS;

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
  // The token is in the URL: it must never leave in a Referer ("same-origin", not "no-referrer": with that,
  // browsers send `Origin: null` on the forms' POST and the origin check could not work).
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function sandbox(services: Services): boolean {
  return services.config.sandbox;
}

function linkError(services: Services, error: LinkError): Response {
  return errorPageResponse(LINK_ERRORS[error], { "referrer-policy": "same-origin" }, { sandbox: sandbox(services) });
}

export async function resolveManageToken(
  services: Services,
  token: string | null | undefined,
  now = new Date(),
): Promise<{ ok: true; rule: AutoTopUpRule; expiresAt: Date } | { ok: false; error: LinkError }> {
  const check = verifyManageToken(services.config, token, now);
  if (!check.ok) return { ok: false, error: check.reason === "expired" ? "expired" : "forged" };
  const rule = await services.db.autoTopUpRule.findUnique({ where: { id: check.claims.ruleId } });
  if (!rule || rule.manageTokenVersion !== check.claims.version) return { ok: false, error: "revoked" };
  return { ok: true, rule, expiresAt: new Date(check.claims.expiresAt * 1000) };
}

async function pageModel(services: Services, rule: AutoTopUpRule, token: string, expiresAt: Date, now: Date): Promise<ManagePageModel> {
  const { db } = services;
  const charges = await db.autoTopUpCharge.findMany({ where: { ruleId: rule.id }, orderBy: { createdAt: "desc" }, take: 5 });
  const payments = await db.payment.findMany({ where: { id: { in: charges.map((c) => c.paymentId) } }, select: { id: true, status: true } });
  const status = new Map(payments.map((p) => [p.id, p.status]));
  return {
    token,
    state: rule.state,
    stateReason: rule.stateReason,
    currency: rule.currency,
    amount: rule.amount,
    threshold: rule.threshold,
    monthlyLimit: rule.monthlyLimit,
    usedThisMonth: await chargedThisMonth(services, rule.id, now),
    mandateText: rule.mandateText,
    linkExpiresAt: expiresAt,
    charges: charges.map((c) => ({ at: c.createdAt, amount: c.amount, status: status.get(c.paymentId) ?? "created" })),
  };
}

function page(services: Services, model: ManagePageModel, status = 200): Response {
  return new Response(renderManagePage(model, { sandbox: sandbox(services) }), { status, headers: PAGE_HEADERS });
}

const DONE: Record<string, ManagePageModel["notice"]> = {
  off: { tone: "success", text: "Automatic top-up is off. Your card will not be charged again." },
  changed: { tone: "success", text: "Your changes are saved." },
};

/** GET /topup/manage/<token> */
export async function manageGet(services: Services, token: string, search: URLSearchParams, now = new Date()): Promise<Response> {
  const resolved = await resolveManageToken(services, token, now);
  if (!resolved.ok) return linkError(services, resolved.error);
  const model = await pageModel(services, resolved.rule, token, resolved.expiresAt, now);
  const done = search.get("done");
  if (done && DONE[done]) model.notice = DONE[done];
  return page(services, model);
}

/** The request comes from our own page: Origin (or Referer) is PUBLIC_URL's origin. */
export function fromOwnOrigin(request: Request, publicUrl: string): boolean {
  const expected = new URL(publicUrl).origin;
  const origin = request.headers.get("origin");
  if (origin) return origin === expected;
  const referer = request.headers.get("referer");
  if (!referer) return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}

function parseMajorInput(text: string, currency: string): number | null {
  let t = text.replace(/[\s\u00a0\u202f]/g, "");
  const comma = /^(\d+),(\d{1,3})$/.exec(t);
  if (comma) t = `${comma[1]}.${comma[2]}`;
  return parseMajorAmount(t, currency);
}

/** POST /topup/manage/<token> (form: token, action=off | change); the form's token must be the URL's. */
export async function managePost(services: Services, request: Request, pathToken: string, now = new Date()): Promise<Response> {
  if (!fromOwnOrigin(request, services.config.publicUrl)) return linkError(services, "origin");
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return linkError(services, "forged");
  }
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v.slice(0, 200) : "";
  };
  const token = field("token");
  if (token !== pathToken) return linkError(services, "forged");
  const resolved = await resolveManageToken(services, token, now);
  if (!resolved.ok) return linkError(services, resolved.error);
  const { rule } = resolved;
  const back = (done: string) =>
    new Response(null, { status: 303, headers: { location: `${services.config.publicUrl}/topup/manage/${token}?done=${done}`, "cache-control": "no-store", "referrer-policy": "same-origin" } });

  const action = field("action");
  if (action === "off") {
    // Whatever state the rule is in now (the scheduler may have paused it meanwhile), unless it is already off.
    const { count } = await services.db.autoTopUpRule.updateMany({
      where: { id: rule.id, manageTokenVersion: rule.manageTokenVersion, NOT: { state: { startsWith: "disabled_" } } },
      data: { state: "disabled_by_payer", stateReason: "Turned off by the payer with the manage link." },
    });
    if (count === 1) {
      await services.db.autoTopUpEvent.create({ data: { ruleId: rule.id, kind: "disabled", detail: "Turned off by the payer with the manage link." } });
      logger.info({ ruleId: rule.id }, "automatic top-up turned off by the payer");
    }
    return back("off");
  }
  if (action === "change") {
    const typed = { amount: field("amount"), threshold: field("threshold"), limit: field("limit") };
    const fail = async (text: string) => {
      const model = await pageModel(services, rule, token, resolved.expiresAt, now);
      model.notice = { tone: "error", text };
      model.form = typed;
      return page(services, model, 400);
    };
    if (isOff(rule.state)) return fail("Automatic top-up is off; it cannot be changed here.");
    const terms: Partial<AutoTopUpTerms> = {
      amount: parseMajorInput(typed.amount, rule.currency) ?? undefined,
      threshold: parseMajorInput(typed.threshold, rule.currency) ?? undefined,
      monthlyLimit: parseMajorInput(typed.limit, rule.currency) ?? undefined,
    };
    if (terms.amount === undefined || terms.threshold === undefined || terms.monthlyLimit === undefined) {
      return fail("Enter each amount as a number, for example 25 or 12.50.");
    }
    const complete = terms as AutoTopUpTerms;
    const problem = termsProblem(complete, amountLimits(services.config.payments, rule.currency.toUpperCase()));
    if (problem) return fail(problem);
    const before = `${rule.amount}/${rule.threshold}/${rule.monthlyLimit}`;
    const after = `${complete.amount}/${complete.threshold}/${complete.monthlyLimit}`;
    if (before !== after) {
      const { count } = await services.db.autoTopUpRule.updateMany({
        where: { id: rule.id, manageTokenVersion: rule.manageTokenVersion, state: { notIn: ["disabled_by_payer", "disabled_by_dealer"] } },
        data: {
          amount: complete.amount,
          threshold: complete.threshold,
          monthlyLimit: complete.monthlyLimit,
          mandateText: mandateText(complete, rule.currency),
          // New terms apply at the next pass (a raised limit or threshold may allow a top-up at once).
          ...(rule.state === "active" ? { nextCheckAt: now } : {}),
        },
      });
      if (count !== 1) return fail("Automatic top-up changed meanwhile. Reload the page and try again.");
      await services.db.autoTopUpEvent.create({
        data: { ruleId: rule.id, kind: "changed", detail: `Terms changed by the payer (amount/threshold/monthly limit, minor units): ${before} → ${after}.` },
      });
    }
    return back("changed");
  }
  return linkError(services, "forged");
}

/**
 * The manage link for the return page of an enrolment payment. Shown only with the PaymentIntent's client secret,
 * which Stripe's redirect carries (payment_intent_client_secret): the PaymentIntent id alone is no proof (it is
 * written into the user's Navixy transactions).
 */
export async function manageLinkForReturn(
  services: Services,
  paymentIntentId: string | undefined,
  clientSecret: string | undefined,
): Promise<{ url: string; state: string } | null> {
  if (!paymentIntentId || !clientSecret || !/^pi_[A-Za-z0-9_]{8,128}$/.test(paymentIntentId)) return null;
  const { db, stripe, config } = services;
  const payment = await db.payment.findUnique({ where: { stripePaymentIntentId: paymentIntentId }, select: { id: true, navixyUserId: true } });
  if (!payment) return null;
  const rule = await db.autoTopUpRule.findUnique({ where: { navixyUserId: payment.navixyUserId } });
  if (!rule || rule.enrolmentPaymentId !== payment.id) return null;
  let expected: string | null;
  try {
    expected = (await stripe.paymentIntents.retrieve(paymentIntentId)).client_secret;
  } catch {
    return null;
  }
  const a = Buffer.from(expected ?? "");
  const b = Buffer.from(clientSecret);
  if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return { url: manageUrl(config, rule), state: rule.state };
}
