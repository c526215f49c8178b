// The payer's automatic top-up page, reached only through the signed link shown after enrolment (see
// lib/autotopup/manage.ts): GET shows it, POST takes its forms (turn off, change; the token is in the form too).
// A route rather than a page so that a forged link answers 403 and an expired or revoked one 410. In the payer's
// language, chosen by proxy.ts.
import { errorPageInput, errorPageResponse } from "@/lib/checkout/error-page";
import { manageGet, managePost } from "@/lib/autotopup/manage";
import { translatorFor } from "@/lib/i18n/messages";
import { localeFromHeaders } from "@/lib/i18n/request";
import { logger } from "@/lib/logging/logger";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

const translator = (request: Request) => translatorFor(localeFromHeaders(request.headers) ?? "en");

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = translator(request);
  try {
    return await manageGet(await servicesForRequest(request.headers), decodeURIComponent(token), new URL(request.url).searchParams, new Date(), t);
  } catch (error) {
    logger.error({ err: error }, "automatic top-up page failed");
    return errorPageResponse(errorPageInput(503, "pageUnavailable", t), { "retry-after": "60", "referrer-policy": "same-origin" }, { translator: t });
  }
}

export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = translator(request);
  try {
    return await managePost(await servicesForRequest(request.headers), request, decodeURIComponent(token), new Date(), t);
  } catch (error) {
    logger.error({ err: error }, "automatic top-up change failed");
    return errorPageResponse(errorPageInput(503, "notSaved", t), { "retry-after": "60", "referrer-policy": "same-origin" }, { translator: t });
  }
}
