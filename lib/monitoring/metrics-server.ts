// GET /metrics of a process without the web server: `npm run worker`. The same answer as the web server's route
// (metrics-endpoint.ts, METRICS_TOKEN as a bearer token) on WORKER_METRICS_PORT; nothing else is served. Off without
// METRICS_TOKEN, as the route is.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Services } from "../server/services";
import { logger } from "../logging/logger";
import { serveMetrics } from "./metrics-endpoint";
import { HttpError } from "../http/responses";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function serveMetricsOverHttp(services: Pick<Services, "config" | "rootDb">): Promise<MetricsServer | null> {
  if (!services.config.metrics.token) return null;
  const server = http.createServer((req, res) => {
    void answer(services, req).then(
      (response) => send(res, response),
      () => send(res, new Response("The metrics could not be read.\n", { status: 500 })),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(services.config.worker.metricsPort, () => resolve());
    });
  } catch (error) {
    // The worker's job is the money: it works on without its metrics, and says why.
    logger.error({ err: error, port: services.config.worker.metricsPort }, "could not serve this worker's metrics (WORKER_METRICS_PORT): working on without them");
    return null;
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, "serving this worker's metrics at GET /metrics");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function answer(services: Pick<Services, "config" | "rootDb">, req: http.IncomingMessage): Promise<Response> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" || path !== "/metrics") return new Response("Not found.\n", { status: 404 });
  const headers = new Headers();
  if (typeof req.headers.authorization === "string") headers.set("authorization", req.headers.authorization);
  try {
    return await serveMetrics(services, new Request(`http://worker${path}`, { headers }));
  } catch (error) {
    if (error instanceof HttpError) return new Response(`${error.message}\n`, { status: error.status, headers: error.headers });
    throw error;
  }
}

async function send(res: http.ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  res.end(Buffer.from(await response.arrayBuffer()));
}
