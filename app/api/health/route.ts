import { checkHealth } from "@/lib/health";
import { handle } from "@/lib/http/responses";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export function GET() {
  return handle(() => checkHealth(getServices()));
}
