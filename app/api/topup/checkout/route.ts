// GET /api/topup/checkout?userId=<navixy user id>: what the checkout shows about automatic top-up:
// {"offer": <show the opt-in>, "needsConfirmation": <the bank asks the payer to confirm>}. Without the manage link's
// token (header x-auto-top-up-token) one answer for every user; with it, that user's rule's (lib/autotopup).
import { handle } from "@/lib/http/responses";
import { checkoutStatus } from "@/lib/autotopup/confirm-request";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handle(async () => checkoutStatus(await servicesForRequest(request.headers), request), request);
}
