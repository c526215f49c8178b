// A plain HTTP server on a loopback address that counts every connection made to it and every request it
// received: the tests of outbound fetches (lib/security/public-fetch.ts) use it to show that nothing reached it.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface WatchedServer {
  host: string;
  port: number;
  /** http://<host>:<port> */
  url: string;
  /** TCP connections accepted (a refused fetch must make none, not even a TLS handshake). */
  connections: number;
  /** Request paths received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startWatchedServer(
  handler: http.RequestListener = (_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG_BYTES),
  opts: { host?: string; port?: number } = {},
): Promise<WatchedServer> {
  const host = opts.host ?? "127.0.0.1";
  const watched = { connections: 0, requests: [] as string[] };
  const server = http.createServer((req, res) => {
    watched.requests.push(req.url ?? "/");
    handler(req, res);
  });
  server.on("connection", () => {
    watched.connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return Object.assign(watched, {
    host,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** The smallest valid PNG: one transparent pixel. */
export const PNG_BYTES = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);
