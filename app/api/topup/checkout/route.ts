// GET /api/topup/checkout?userId=<navixy user id>: what the checkout shows about automatic top-up:
// {"offer": <show the opt-in>, "needsConfirmation": <the bank asks the payer to confirm>}. Nothing personal.
import { HttpError, handle, json } from "@/lib/http/responses";
import { checkoutAutoTopUp } from "@/lib/autotopup/recovery";
import { parseNavixyUserId } from "@/lib/payments/navixy-user";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handle(async () => {
    const userId = parseNavixyUserId(new URL(request.url).searchParams.get("userId"));
    if (userId === null) throw new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id).");
    return json(await checkoutAutoTopUp(await servicesForRequest(request.headers), userId));
  }, request);
}
