// POST /api/topup/confirm {"userId"}: for a rule paused because the bank asked for authentication, the
// on-session PaymentIntent the checkout confirms with Stripe.js → 200 {paymentId, clientSecret}.
import { z } from "zod";
import { HttpError, handle, json } from "@/lib/http/responses";
import { startConfirmation } from "@/lib/autotopup/recovery";
import { enforcePaymentsPerIp, enforcePaymentsPerUser } from "@/lib/security/rate-limit";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

const body = z.object({ userId: z.number().int().positive().max(2_147_483_647) });

export function POST(request: Request) {
  return handle(async () => {
    const services = getServices();
    await enforcePaymentsPerIp(services.db, services.config.security.paymentsPerIp, request.headers);
    let parsed;
    try {
      parsed = body.safeParse(JSON.parse(await request.text()));
    } catch {
      throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
    }
    if (!parsed.success) throw new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id).");
    await enforcePaymentsPerUser(services.db, services.config.security.paymentsPerUser, parsed.data.userId);
    return json(await startConfirmation(services, parsed.data.userId));
  }, request);
}
