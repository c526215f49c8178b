// POST /admin/session: sign in to the dealer console (the login form posts here).
import { consoleEnabled, login, sameOrigin } from "@/lib/admin/auth";
import { escapeHtml, htmlPage } from "@/lib/admin/html";
import { notFound } from "@/lib/admin/http";
import { isPayloadTooLarge, readFormBody } from "@/lib/http/body";
import { clientAddress } from "@/lib/security/client-address";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const services = getServices();
  if (!consoleEnabled(services.config)) return notFound();
  if (!sameOrigin(services.config, request.headers)) {
    return new Response("Refused: this request did not come from the console's own pages.", { status: 403 });
  }
  let password = "";
  let dealer = "";
  try {
    const form = await readFormBody(request);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === "string" ? v : "";
    };
    password = field("password");
    dealer = field("dealer");
  } catch (error) {
    if (isPayloadTooLarge(error)) return new Response("Refused: the form is too large.", { status: 413 });
    return new Response("Expected a form submission.", { status: 400 });
  }
  // The sign-in limit counts per client address: a request that has none (the server still starting) is not guessed at.
  const ip = clientAddress(request.headers, services.config.security.trustedProxies);
  if (!ip) return new Response("The server is starting. Try again in a moment.", { status: 503, headers: { "retry-after": "1", "cache-control": "no-store" } });
  const outcome = await login(services, { password, dealer, ip, userAgent: request.headers.get("user-agent") });
  switch (outcome.kind) {
    case "ok":
      return new Response(null, { status: 303, headers: { location: "/admin", "set-cookie": outcome.cookie, "cache-control": "no-store" } });
    case "wrong_password":
      // A fixed word in the query, not a signed notice: an anonymous visitor is never handed anything signed
      // (a MAC they can check offline would test password guesses if its key ever depended on the password).
      return new Response(null, { status: 303, headers: { location: `/admin/login?error=password${dealer ? `&dealer=${encodeURIComponent(dealer.slice(0, 40))}` : ""}`, "cache-control": "no-store" } });
    case "rate_limited": {
      const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
      return htmlPage(
        429,
        "Too many sign-in attempts",
        `<p role="alert">Too many sign-in attempts from your address. Try again in ${escapeHtml(String(minutes))} minute${minutes === 1 ? "" : "s"}.</p><p><a href="/admin/login">Back to sign-in</a></p>`,
        { "retry-after": String(outcome.retryAfterSeconds) },
      );
    }
  }
}
