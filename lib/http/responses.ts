// The JSON error shape of every API route: {"error": {"code", "message"}}. Messages are for people;
// nothing internal (stack traces, SQL, upstream bodies) ever reaches a response.
import { logger, requestLogger } from "../logging/logger";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(error: unknown, request?: Request): Response {
  if (error instanceof HttpError) {
    return json({ error: { code: error.code, message: error.message } }, error.status, error.headers);
  }
  (request ? requestLogger(request) : logger).error({ err: error }, "unexpected error while handling a request");
  return json({ error: { code: "internal_error", message: "Something went wrong on our side. Please try again." } }, 500);
}

/** Runs a handler and turns any thrown error into a JSON error response. */
export async function handle(fn: () => Promise<Response>, request?: Request): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    return errorResponse(error, request);
  }
}
