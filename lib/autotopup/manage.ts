// The payer's manage link: /topup/manage/<token> (GET, the page; POST, its two forms: turn off, change). The token is the only credential (lib/autotopup/token.ts): forged → 403, expired or
// revoked → 410, each a clear page. The forms carry the token itself (so a cross-site form cannot be built
// without knowing it) and the POST also checks that the Origin (or, without one, the Referer) is PUBLIC_URL's.
// Turning off is one click and always available while the rule is not already off. Every page is in the payer's
// language (the route passes the translator proxy.ts chose); a `?lang=` the page was opened with is kept.
import { timingSafeEqual } from "node:crypto";
import { errorPageInput, errorPageResponse, type ErrorPageInput, type ErrorPageName } from "../checkout/error-page";
import { english } from "../i18n/english";
import { amountExamples, asciiDigits, type Translator } from "../i18n/translate";
import { amountLimits } from "../payments/limits";
import { currencyExponent, parseMajorAmount } from "../money";
import type { AutoTopUpRule } from "../db/generated/sqlite/client";
import type { Services } from "../server/services";
import { logger } from "../logging/logger";
import { isPayloadTooLarge, readFormBody } from "../http/body";
import { renderManagePage, type ManagePageModel } from "./manage-html";
import { chargedThisMonth } from "./scheduler";
import { isOff } from "./states";
import { mandateText, termsProblem, type AutoTopUpTerms } from "./terms";
import { manageUrl, verifyManageToken } from "./token";
import { confirmAtCheckoutUrl, tokenOfManageUrl } from "./checkout-proof";
import { mandateDealerName } from "./mandate";
import { brandCss } from "../branding/brand";
import { pageBrand } from "../branding/dealer-brand";

const LINK_ERROR_PAGES = {
  forged: [403, "linkForged"],
  expired: [410, "linkExpired"],
  revoked: [410, "linkRevoked"],
  origin: [403, "origin"],
} as const satisfies Record<string, readonly [number, ErrorPageName]>;

/** A manage link that does not work, in the payer's language. */
export function linkErrorPage(error: keyof typeof LINK_ERROR_PAGES, t: Translator = english): ErrorPageInput {
  const [status, name] = LINK_ERROR_PAGES[error];
  return errorPageInput(status, name, t);
}

/** The same, in English. */
export const LINK_ERRORS: Record<keyof typeof LINK_ERROR_PAGES, ErrorPageInput> = {
  forged: linkErrorPage("forged"),
  expired: linkErrorPage("expired"),
  revoked: linkErrorPage("revoked"),
  origin: linkErrorPage("origin"),
};
export type LinkError = keyof typeof LINK_ERRORS;

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
  // The token is in the URL: it must never leave in a Referer ("same-origin", not "no-referrer": with that,
  // browsers send `Origin: null` on the forms' POST and the origin check could not work).
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  // img-src: the dealer's logo, from our own /brand/logo.
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function sandbox(services: Services): boolean {
  return services.config.sandbox;
}

function linkError(services: Services, error: LinkError, t: Translator): Response {
  return errorPageResponse(linkErrorPage(error, t), { "referrer-policy": "same-origin" }, { sandbox: sandbox(services), translator: t });
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

async function pageModel(services: Services, rule: AutoTopUpRule, token: string, expiresAt: Date, now: Date, lang: string | null): Promise<ManagePageModel> {
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
    // The bank asks for a confirmation: only this link's holder can give it, at the checkout (it runs Stripe.js).
    ...(rule.state === "paused_authentication_required" ? { confirmUrl: confirmAtCheckoutUrl(services.config.publicUrl, rule.navixyUserId, token, lang) } : {}),
  };
}

/** The page, as the dealer's: its name or logo and colours, its paths (under /d/<slug> for a hosted dealer). */
async function page(services: Services, model: ManagePageModel, t: Translator, lang: string | null, status = 200): Promise<Response> {
  const base = services.dealer.isDefault ? "" : `/d/${encodeURIComponent(services.dealer.slug)}`;
  const look = await pageBrand(services);
  const brand = { css: brandCss(look.brand), name: look.brand.name, logo: look.logo, logoSrc: `${base}/brand/logo` };
  return new Response(renderManagePage(model, { sandbox: sandbox(services), translator: t, lang, base, brand }), { status, headers: PAGE_HEADERS });
}

const DONE = { off: "manage.done.off", changed: "manage.done.changed" } as const;

/** GET /topup/manage/<token> */
export async function manageGet(services: Services, token: string, search: URLSearchParams, now = new Date(), t: Translator = english): Promise<Response> {
  const resolved = await resolveManageToken(services, token, now);
  if (!resolved.ok) return linkError(services, resolved.error, t);
  const model = await pageModel(services, resolved.rule, token, resolved.expiresAt, now, search.get("lang"));
  const done = search.get("done");
  if (done === "off" || done === "changed") model.notice = { tone: "success", text: t.t(DONE[done]) };
  return page(services, model, t, search.get("lang"));
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
  let t = asciiDigits(text).replace(/[\s\u00a0\u202f]/g, "");
  const comma = /^(\d+),(\d{1,3})$/.exec(t);
  if (comma) t = `${comma[1]}.${comma[2]}`;
  return parseMajorAmount(t, currency);
}

/** POST /topup/manage/<token> (form: token, action=off | change); the form's token must be the URL's. */
export async function managePost(services: Services, request: Request, pathToken: string, now = new Date(), t: Translator = english): Promise<Response> {
  if (!fromOwnOrigin(request, services.config.publicUrl)) return linkError(services, "origin", t);
  const lang = new URL(request.url).searchParams.get("lang");
  let form: FormData;
  try {
    form = await readFormBody(request);
  } catch (error) {
    // The page's own forms are far below the cap: nothing is read past it, and nothing changes.
    if (isPayloadTooLarge(error)) return errorPageResponse(errorPageInput(413, "notSaved", t), { "referrer-policy": "same-origin" }, { sandbox: sandbox(services), translator: t });
    return linkError(services, "forged", t);
  }
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v.slice(0, 200) : "";
  };
  const token = field("token");
  if (token !== pathToken) return linkError(services, "forged", t);
  const resolved = await resolveManageToken(services, token, now);
  if (!resolved.ok) return linkError(services, resolved.error, t);
  const { rule } = resolved;
  const langQuery = lang ? `lang=${encodeURIComponent(lang)}&` : "";
  const back = (done: string) =>
    new Response(null, {
      status: 303,
      headers: { location: `${services.config.publicUrl}/topup/manage/${token}?${langQuery}done=${done}`, "cache-control": "no-store", "referrer-policy": "same-origin" },
    });

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
      const model = await pageModel(services, rule, token, resolved.expiresAt, now, lang);
      model.notice = { tone: "error", text };
      model.form = typed;
      return page(services, model, t, lang, 400);
    };
    if (isOff(rule.state)) return fail(t.t("manage.error.off"));
    const terms: Partial<AutoTopUpTerms> = {
      amount: parseMajorInput(typed.amount, rule.currency) ?? undefined,
      threshold: parseMajorInput(typed.threshold, rule.currency) ?? undefined,
      monthlyLimit: parseMajorInput(typed.limit, rule.currency) ?? undefined,
    };
    if (terms.amount === undefined || terms.threshold === undefined || terms.monthlyLimit === undefined) {
      return fail(t.t("manage.error.numbers", amountExamples(t, currencyExponent(rule.currency) > 0)));
    }
    const complete = terms as AutoTopUpTerms;
    const problem = termsProblem(complete, amountLimits(services.config.payments, rule.currency.toUpperCase()), t);
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
          // The payer agrees to the new terms in the words shown to them now, naming the dealer.
          mandateText: mandateText(complete, rule.currency, t, await mandateDealerName(services)),
          // New terms apply at the next pass (a raised limit or threshold may allow a top-up at once).
          ...(rule.state === "active" ? { nextCheckAt: now } : {}),
        },
      });
      if (count !== 1) return fail(t.t("manage.error.conflict"));
      await services.db.autoTopUpEvent.create({
        data: { ruleId: rule.id, kind: "changed", detail: `Terms changed by the payer (amount/threshold/monthly limit, minor units): ${before} → ${after}.` },
      });
    }
    return back("changed");
  }
  return linkError(services, "forged", t);
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
): Promise<{ url: string; state: string; userId: number; token: string } | null> {
  if (!paymentIntentId || !clientSecret || !/^pi_[A-Za-z0-9_]{8,128}$/.test(paymentIntentId)) return null;
  const { db, stripe, config } = services;
  const payment = await db.payment.findUnique({ where: { stripePaymentIntentId: paymentIntentId }, select: { id: true, navixyUserId: true } });
  if (!payment) return null;
  const rule = await db.autoTopUpRule.findFirst({ where: { navixyUserId: payment.navixyUserId } });
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
  const url = manageUrl(config, rule);
  return { url, state: rule.state, userId: rule.navixyUserId, token: tokenOfManageUrl(url)! };
}
