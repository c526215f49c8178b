// Reading a request body with a cap. The cap is counted while reading, so it holds without a Content-Length (a
// chunked body) as well as with one: reading stops and the rest is never taken in once the body passes it. Every
// route that reads a body goes through here: the JSON API (lib/http/json-body.ts), the Stripe webhook, the
// console's and the automatic top-up page's forms, the sandbox's Stripe forwarder.
import { HttpError } from "./responses";

/** The public JSON API: a payment with its automatic top-up mandate text is a few KB. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** Console and payer forms: a dealer's whole settings form is a few KB. */
export const MAX_FORM_BODY_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "payload_too_large", `The request body is too large (at most ${Math.floor(maxBytes / 1024)} KB).`);
}

/** The body's bytes; throws HttpError 413 `payload_too_large` once it passes `maxBytes`. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  // A declared length over the cap is refused before reading anything.
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // The rest is not read: a body without end costs at most the cap.
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** The body as text (UTF-8, as Request.text() decodes it); 413 past `maxBytes`. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBodyBytes(request, maxBytes));
}

/**
 * The body as a form (urlencoded or multipart, as Request.formData() reads it); 413 past `maxBytes`. A body that
 * is not a form throws a TypeError, as formData() does.
 */
export async function readFormBody(request: Request, maxBytes: number = MAX_FORM_BODY_BYTES): Promise<FormData> {
  const bytes = await readBodyBytes(request, maxBytes);
  const type = request.headers.get("content-type");
  return new Response(bytes, type ? { headers: { "content-type": type } } : {}).formData();
}

/** True for the refusal readBodyBytes throws. */
export function isPayloadTooLarge(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status === 413;
}
