import { handle } from "@/lib/http/responses";
import { getServices } from "@/lib/server/services";
import { receiveStripeWebhook } from "@/lib/webhooks/receive-stripe-webhook";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handle(() => receiveStripeWebhook(getServices(), request), request);
}
