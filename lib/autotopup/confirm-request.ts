// POST /api/topup/confirm {"userId"}: the payer, at the checkout, asks to confirm their paused automatic top-up
// with their bank. Public like POST /api/payments, so read and rate-limited the same way: counted per IP before
// anything is parsed, the body through the same JSON reader, then counted per Navixy user.
import { z } from "zod";
import { readJsonBody } from "../http/json-body";
import { HttpError } from "../http/responses";
import { enforcePaymentsPerIp, enforcePaymentsPerUser } from "../security/rate-limit";
import type { Services } from "../server/services";
import { startConfirmation, type StartedConfirmation } from "./recovery";

const body = z.object({ userId: z.number().int().positive().max(2_147_483_647) });

export async function confirmAtCheckout(services: Services, request: Request): Promise<StartedConfirmation> {
  const { config, db } = services;
  await enforcePaymentsPerIp(services, request.headers);
  const { userId } = await readJsonBody(
    request,
    body,
    () => new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id)."),
    "the confirmation request",
  );
  await enforcePaymentsPerUser(services, userId);
  return startConfirmation(services, userId);
}
