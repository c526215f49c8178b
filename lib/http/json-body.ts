// Reading the JSON body of a public API route, the same way on every route: JSON only (415), at most
// MAX_JSON_BODY_BYTES (413 payload_too_large, counted while reading), parsed (400 invalid_json), then checked against
// the route's zod schema, the first problem answered with the route's own code and message. Every refusal has the
// standard error shape (lib/http/responses.ts).
import type { z } from "zod";
import { HttpError } from "./responses";
import { MAX_JSON_BODY_BYTES, readBodyText } from "./body";

/**
 * `what` names the body in the 415 message ("the payment"); `invalid` turns the first field the schema refused
 * ("" when it is the body as a whole) into the route's 400.
 */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>, invalid: (field: string) => HttpError, what = "the request"): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new HttpError(415, "unsupported_media_type", `Send ${what} as JSON (Content-Type: application/json).`);
  }
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(String(parsed.error.issues[0]?.path[0] ?? ""));
  return parsed.data;
}
