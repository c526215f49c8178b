// The Navixy client's transport: node:http(s) with kept-alive connections. A credit makes one call, and the global
// fetch is the costliest way to make it here: web streams for a body of a few hundred bytes, and inside Next.js a
// patched fetch that traces and caches. What the client needs of an answer is its status and its text.
import http from "node:http";
import https from "node:https";

/** What the client asks of a transport (the global fetch fits it too: tests pass fakes of it). */
export type NavixyFetch = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** One request; its error keeps the socket's `code` (ECONNREFUSED, ECONNRESET...) for the client to classify. */
export const nodeHttpFetch: NavixyFetch = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    if (!secure && target.protocol !== "http:") {
      reject(new TypeError(`Invalid URL protocol: ${target.protocol}`));
      return;
    }
    const body = init.body ?? undefined;
    const headers: Record<string, string | number> = { ...(init.headers ?? {}) };
    if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
    const request = (secure ? https : http).request(
      target,
      { method: init.method ?? "GET", headers, agent: secure ? agents.https : agents.http, signal: init.signal },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text: async () => text });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
