// Readiness: the database, its migrations and a running worker, each named (lib/monitoring/readiness.ts).
import { handle } from "@/lib/http/responses";
import { readinessResponse } from "@/lib/monitoring/readiness";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export function GET() {
  return handle(() => readinessResponse(getServices()));
}
