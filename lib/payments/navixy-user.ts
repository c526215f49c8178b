// Who a checkout credits. The `id` in the URL is not proof of identity: we only confirm that Navixy
// knows a top-up-able user by that id, and show no more than a masked name.
import { HttpError } from "../http/responses";
import { isNavixyApiError, maskName, type NavixyUser } from "../navixy";
import type { Services } from "../server/services";
import { logger } from "../logging/logger";
import { isNavixyUserId, type NavixyUserId } from "../ids";

export const MAX_NAVIXY_USER_ID = 2_147_483_647;

/** "12345" → 12345; anything but a positive whole number → null. */
export function parseNavixyUserId(raw: string | string[] | undefined | null): NavixyUserId | null {
  if (typeof raw !== "string" || !/^[1-9]\d{0,9}$/.test(raw.trim())) return null;
  const id = Number(raw.trim());
  return isNavixyUserId(id) ? id : null;
}

export async function loadNavixyUser(services: Pick<Services, "navixy">, userId: NavixyUserId): Promise<NavixyUser> {
  try {
    return await services.navixy.readUser(userId);
  } catch (error) {
    if (isNavixyApiError(error) && error.kind === "not_found") {
      throw new HttpError(404, "user_not_found", "This account cannot be topped up here. Please contact your service provider.");
    }
    logger.warn({ navixyUserId: userId, err: error }, "Navixy user could not be read");
    throw new HttpError(503, "navixy_unavailable", "We cannot reach the balance service right now. Please try again in a minute.");
  }
}

export function publicName(user: NavixyUser): string {
  return maskName(user);
}
