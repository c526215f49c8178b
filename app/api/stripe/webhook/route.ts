import { handle } from "@/lib/http/responses";
import { withApiSecurityHeaders } from "@/lib/security/api-headers";
import { beginDelivery } from "@/lib/server/request-activity";
import { getServices } from "@/lib/server/services";
import { receiveStripeWebhook } from "@/lib/payments/intake/receive-stripe-webhook";

export const dynamic = "force-dynamic";

// proxy.ts does not run for this route (see its matcher): the headers it would add are added here.
export async function POST(request: Request) {
  const answered = beginDelivery();
  try {
    return withApiSecurityHeaders(await handle(() => receiveStripeWebhook(getServices(), request), request), request);
  } finally {
    answered();
  }
}
