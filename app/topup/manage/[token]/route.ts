// The payer's automatic top-up page, reached only through the signed link shown after enrolment (see
// lib/autotopup/manage.ts): GET shows it, POST takes its forms (turn off, change; the token is in the form too).
// A route rather than a page so that a forged link answers 403 and an expired or revoked one 410.
import { errorPageResponse } from "@/lib/checkout/error-page";
import { manageGet, managePost } from "@/lib/autotopup/manage";
import { logger } from "@/lib/logging/logger";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    return await manageGet(getServices(), decodeURIComponent(token), new URL(request.url).searchParams);
  } catch (error) {
    logger.error({ err: error }, "automatic top-up page failed");
    return errorPageResponse(
      { status: 503, title: "This page is temporarily unavailable", message: "Please try again in a few minutes." },
      { "retry-after": "60", "referrer-policy": "same-origin" },
    );
  }
}

export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    return await managePost(getServices(), request, decodeURIComponent(token));
  } catch (error) {
    logger.error({ err: error }, "automatic top-up change failed");
    return errorPageResponse(
      { status: 503, title: "Your change could not be saved", message: "Nothing was changed. Please go back and try again in a few minutes." },
      { "retry-after": "60", "referrer-policy": "same-origin" },
    );
  }
}
