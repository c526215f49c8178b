// Prometheus's scrape target: this instance's metrics (lib/monitoring/metrics-endpoint.ts), behind METRICS_TOKEN.
import { handle } from "@/lib/http/responses";
import { serveMetrics } from "@/lib/monitoring/metrics-endpoint";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handle(() => serveMetrics(getServices(), request), request);
}
