// The console's route handlers (login, logout, actions, export): switched off → 404, no session → 401,
// a POST from another origin or without the session's CSRF token → 403.
import { servicesForDealer, type Services } from "../server/services";
import {
  SESSION_COOKIE,
  checkCsrf,
  consoleEnabled,
  readCookie,
  sameOrigin,
  sessionFromCookie,
  type AdminSessionInfo,
} from "./auth";
import { setConsoleFlash, type ConsoleFlash } from "./console-flash";
import type { Actor } from "./audit";
import { isPayloadTooLarge, readFormBody } from "../http/body";
import { clientAddress } from "../security/client-address";

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers } });

export const notFound = () => text(404, "Not found");

/** A CSV download of the console (the payments export, the books). */
export function csvAttachment(body: BodyInit, filename: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

export interface AdminRequest {
  session: AdminSessionInfo;
  /** The session's dealer's services: every query of an action is scoped to that dealer's rows. */
  services: Services;
  who: Actor;
  ip: string;
  /** The submitted form (POST only). */
  form: FormData;
}

export async function sessionOfRequest(services: Services, request: Request): Promise<AdminSessionInfo | null> {
  return sessionFromCookie(services, readCookie(request.headers.get("cookie"), SESSION_COOKIE));
}

/**
 * Runs `fn` for a signed-in person, with the services of the dealer the session works on; for a POST only from
 * our origin and with the session's CSRF token. `services` are the deployment's own (they sign the sessions).
 */
export async function withAdmin(services: Services, request: Request, fn: (r: AdminRequest) => Promise<Response>): Promise<Response> {
  if (!consoleEnabled(services.config)) return notFound();
  const session = await sessionOfRequest(services, request);
  const dealerServices = session ? await servicesForDealer(session.dealerId) : null;
  if (!session || !dealerServices) return text(401, "Sign in to the dealer console first (/admin/login).", { "www-authenticate": 'FormBased realm="dealer console"' });
  const ip = clientAddress(request.headers, services.config.security.trustedProxies) ?? "unknown";
  let form = new FormData();
  if (request.method === "POST") {
    if (!sameOrigin(services.config, request.headers)) return text(403, "Refused: this request did not come from the console's own pages.");
    try {
      form = await readFormBody(request);
    } catch (error) {
      if (isPayloadTooLarge(error)) return text(413, "Refused: the form is too large.");
      return text(400, "Expected a form submission.");
    }
    if (!checkCsrf(session, form.get("csrf"))) return text(403, "Refused: the form's security token is missing or out of date. Reload the page and try again.");
  }
  return fn({ session, services: dealerServices, who: { actor: session.actor, ip }, ip, form });
}

/** A path inside the console to go back to (anything else becomes /admin). */
export function safeBack(value: unknown, fallback = "/admin"): string {
  if (typeof value !== "string") return fallback;
  if (!value.startsWith("/admin") || value.startsWith("//") || /[\r\n\\]/.test(value)) return fallback;
  return value;
}

/**
 * 303 to `back`, the notice or error (and a refused form's typed values) left in the session for the next page to
 * show once: never in the address, where a reload would show it again.
 */
export async function redirectWithFlash(services: Services, session: AdminSessionInfo, back: string, flash: ConsoleFlash): Promise<Response> {
  await setConsoleFlash(services.rootDb, session.id, flash);
  const url = new URL(back, "http://console.invalid");
  url.searchParams.delete("flash");
  return new Response(null, { status: 303, headers: { location: url.pathname + url.search + url.hash, "cache-control": "no-store" } });
}

export function formString(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim() : "";
}
