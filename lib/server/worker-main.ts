// `npm run worker`: the worker on its own, for deployments that run it apart from the web server
// (set WORKER_IN_SERVER=false there). Stops cleanly on SIGINT/SIGTERM; a hard kill is safe too: a
// claimed row is taken over when its lease runs out, and looked up in Navixy before it is sent again.
import { bootstrap, startWorker } from "./start";
import { logger } from "../logging/logger";
import { getServices } from "./services";
import { serveMetricsOverHttp } from "../monitoring/metrics-server";

async function main() {
  await bootstrap();
  const workers = await startWorker();
  logger.info({ worker: workers.worker.id }, "processing every dealer's Stripe events and Navixy balance movements");
  // Its counters (credits, Navixy and Stripe calls, webhook to credited) are this process's: Prometheus scrapes it too.
  const metrics = await serveMetricsOverHttp(getServices());
  const shutdown = async (signal: string) => {
    logger.info({ signal }, "stopping: finishing the current work");
    await metrics?.close();
    await workers.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

void main();
