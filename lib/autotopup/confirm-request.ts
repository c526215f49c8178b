// The checkout's automatic top-up requests: GET /api/topup/checkout?userId= (what to show) and
// POST /api/topup/confirm {"userId", "token"} (confirm a paused rule with the bank). Public like POST /api/payments,
// so read and limited the same way: counted per client address and dealer before anything is parsed. A user id
// proves nothing: without the manage link's token the status is one answer for everyone and a confirmation is
// refused alike whether the user has a rule or not; with it, the rule's own (lib/autotopup/recovery.ts).
import { z } from "zod";
import { readJsonBody } from "../http/json-body";
import { HttpError, json } from "../http/responses";
import { parseNavixyUserId } from "../payments/navixy-user";
import { enforceAutoTopUpPerIp, enforcePaymentsPerUser } from "../security/rate-limit";
import type { Services } from "../server/services";
import { MANAGE_TOKEN_HEADER } from "./checkout-proof";
import { resolveManageToken } from "./manage";
import { checkoutAutoTopUp, startConfirmation, type StartedConfirmation } from "./recovery";

const body = z.object({
  userId: z.number().int().positive().max(2_147_483_647),
  /** The manage link's token (its last path segment). */
  token: z.string().max(200).optional(),
});

const LINK_REQUIRED = new HttpError(
  403,
  "manage_link_required",
  "Confirming an automatic top-up needs the private link you received when you set it up. Open it and confirm from there.",
);
const LINK_GONE = new HttpError(410, "manage_link_expired", "This automatic top-up link has expired or was replaced. Use the latest link you received.");

/** GET /api/topup/checkout?userId= */
export async function checkoutStatus(services: Services, request: Request): Promise<Response> {
  await enforceAutoTopUpPerIp(services, request.headers);
  const userId = parseNavixyUserId(new URL(request.url).searchParams.get("userId"));
  if (userId === null) throw new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id).");
  return json(await checkoutAutoTopUp(services, userId, request.headers.get(MANAGE_TOKEN_HEADER)?.slice(0, 200)));
}

/** POST /api/topup/confirm */
export async function confirmAtCheckout(services: Services, request: Request): Promise<StartedConfirmation> {
  await enforceAutoTopUpPerIp(services, request.headers);
  const { userId, token } = await readJsonBody(
    request,
    body,
    (field) =>
      field === "token"
        ? new HttpError(400, "invalid_token", "token must be the text of your automatic top-up link.")
        : new HttpError(400, "invalid_user_id", "userId must be a positive whole number (the Navixy user id)."),
    "the confirmation request",
  );
  const proven = await resolveManageToken(services, token);
  // Forged, missing, or another user's: one answer. Expired or replaced is said only of a link we signed.
  if (!proven.ok) throw proven.error === "forged" ? LINK_REQUIRED : LINK_GONE;
  if (proven.rule.navixyUserId !== userId) throw LINK_REQUIRED;
  // A confirmation is a payment of this user: it counts toward the user's payment limit.
  await enforcePaymentsPerUser(services, userId);
  return startConfirmation(services, userId);
}
