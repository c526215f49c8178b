// POST /api/topup/confirm {"userId", "token"}: for a rule paused because the bank asked for authentication, the
// on-session PaymentIntent the checkout confirms with Stripe.js → 200 {paymentId, clientSecret}. The token is the
// rule's manage link's: without it (or another user's) 403, expired or replaced 410.
import { handle, json } from "@/lib/http/responses";
import { confirmAtCheckout } from "@/lib/autotopup/confirm-request";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handle(async () => json(await confirmAtCheckout(await servicesForRequest(request.headers), request)), request);
}
