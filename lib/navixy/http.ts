// The Navixy client's transport: node:http(s) with kept-alive connections. A credit makes one call, and the global
// fetch is the costliest way to make it here: web streams for a body of a few hundred bytes, and inside Next.js a
// patched fetch that traces and caches. What the client needs of an answer is its status and its text.
import http from "node:http";
import https from "node:https";

export interface NavixyRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Send it again, once, on a new connection when a kept-alive one turns out to have been closed by the server
   * (reset before any answer). Only for requests that move no money: a money call is looked up by its caller.
   */
  retryOnStaleConnection?: boolean;
}

/** What the client asks of a transport (the global fetch fits it too: tests pass fakes of it). */
export type NavixyFetch = (url: string, init: NavixyRequestInit) => Promise<{ status: number; text(): Promise<string> }>;

// Idle connections are closed after 4 s, before a server that keeps them 5 s (Node's default) closes them under a
// request: that race is what a reset on a reused connection usually is.
const IDLE_SOCKET_MS = 4_000;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
};

const STALE_CONNECTION_CODES = new Set(["ECONNRESET", "EPIPE"]);

/** One request; its error keeps the socket's `code` (ECONNREFUSED, ECONNRESET...) for the client to classify. */
export const nodeHttpFetch: NavixyFetch = (url, init) => send(url, init, true);

function send(url: string, init: NavixyRequestInit, pooled: boolean): Promise<{ status: number; text(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    if (!secure && target.protocol !== "http:") {
      reject(new TypeError(`Invalid URL protocol: ${target.protocol}`));
      return;
    }
    const body = init.body ?? undefined;
    const headers: Record<string, string | number> = { ...(init.headers ?? {}) };
    if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
    let answered = false;
    const request = (secure ? https : http).request(
      target,
      { method: init.method ?? "GET", headers, agent: pooled ? (secure ? agents.https : agents.http) : false, signal: init.signal },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text: async () => text });
        });
        response.on("error", reject);
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && !answered && STALE_CONNECTION_CODES.has(error.code ?? "") && !init.signal?.aborted;
      if (stale && init.retryOnStaleConnection) {
        send(url, init, false).then(resolve, reject);
        return;
      }
      reject(error);
    });
    request.end(body);
  });
}
