// Sandbox mode only: the sandbox Stripe.js's calls to the Stripe emulator (see lib/sandbox/stripe-forward.ts for
// the three that are allowed). Outside sandbox mode every path here is a plain 404.
import { isSandboxMode } from "@/lib/sandbox/mode";
import { forwardSandboxStripeRequest } from "@/lib/sandbox/stripe-forward";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ path: string[] }> };

async function handle(request: Request, { params }: Context): Promise<Response> {
  if (!isSandboxMode()) return new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });
  // The request's dealer's Stripe emulator (a hosted dealer's page calls /d/<slug>/sandbox/stripe-api, proxy.ts).
  const { stripe } = (await servicesForRequest(request.headers)).config;
  if (!stripe.apiUrl) return new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });
  const { path } = await params;
  return forwardSandboxStripeRequest(request, path, { apiUrl: stripe.apiUrl, publishableKey: stripe.publishableKey });
}

export const GET = handle;
export const POST = handle;
