import { json } from "./http/responses";
import type { Services } from "./server/services";

/** GET /api/health: 200 while the database answers, 503 otherwise. */
export async function checkHealth(services: Services): Promise<Response> {
  try {
    await services.db.$queryRawUnsafe("SELECT 1");
    return json({ status: "ok" });
  } catch {
    return json({ status: "unavailable", reason: "database unreachable" }, 503);
  }
}
