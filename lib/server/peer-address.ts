// Stamps every HTTP request this process serves with the connection's own peer address (PEER_ADDRESS_HEADER),
// overwriting any value a client sent under that name, so route handlers learn what the client cannot choose
// (lib/security/client-address.ts says why Next.js itself does not pass it on). Installed once, first thing, by
// instrumentation.ts: it wraps `emit` of Node's http and https servers, which every `request` goes through before
// Next.js reads a header. A request the server accepted before this ran (the first moments of a start) carries no
// stamp, and the rate-limited routes answer it 503 instead of guessing.
import http from "node:http";
import https from "node:https";
import { PEER_ADDRESS_HEADER } from "../security/client-address";

const INSTALLED = Symbol.for("navixy-gateway.peer-address-stamp");
const REQUEST_EVENTS = new Set<string | symbol>(["request", "checkContinue", "checkExpectation", "upgrade"]);

/** Sets (or removes) the stamp on one request: what the server does, and what the integration harness copies. */
export function stampPeerAddress(req: http.IncomingMessage): void {
  const address = req.socket?.remoteAddress;
  if (address) req.headers[PEER_ADDRESS_HEADER] = address;
  else delete req.headers[PEER_ADDRESS_HEADER];
}

export function installPeerAddressStamp(): void {
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (event: string | symbol, ...args: unknown[]) => boolean };
    if (proto[INSTALLED]) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (REQUEST_EVENTS.has(event) && args[0] instanceof http.IncomingMessage) stampPeerAddress(args[0]);
      return emit.call(this, event, ...args);
    };
    proto[INSTALLED] = true;
  }
}
