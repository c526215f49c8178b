// The standalone worker's GET /metrics server: off without METRICS_TOKEN, behind the token, nothing else served, and
// a port already taken leaves the worker working without it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import type { Services } from "../server/services";
import { serveMetricsOverHttp, type MetricsServer } from "./metrics-server";

const TOKEN = "metrics-token-for-the-worker-0123";
const servicesOn = (port: number, token: string | undefined) =>
  ({ config: { metrics: { token }, worker: { metricsPort: port } }, rootDb: {} }) as unknown as Pick<Services, "config" | "rootDb">;

describe("a standalone worker's metrics server", () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  test("is not started without METRICS_TOKEN", async () => {
    expect(await serveMetricsOverHttp(servicesOn(0, undefined))).toBeNull();
  });

  test("answers GET /metrics only, and only with the token", async () => {
    const server = (await serveMetricsOverHttp(servicesOn(0, TOKEN))) as MetricsServer;
    opened.push(server);
    const url = `http://127.0.0.1:${server.port}`;
    const refused = await fetch(`${url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    expect((await fetch(`${url}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  test("a port already taken: no server, and the worker goes on", async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    opened.push({ close: () => new Promise<void>((resolve) => taken.close(() => resolve())) });
    expect(await serveMetricsOverHttp(servicesOn((taken.address() as AddressInfo).port, TOKEN))).toBeNull();
  });
});
