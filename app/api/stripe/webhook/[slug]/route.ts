// A dealer's own webhook endpoint (multi-dealer hosting): verified with that dealer's signing secret only, so an
// event signed for one dealer is refused on another's endpoint. /api/stripe/webhook is the default dealer's.
import { HttpError, handle } from "@/lib/http/responses";
import { withApiSecurityHeaders } from "@/lib/security/api-headers";
import { beginDelivery } from "@/lib/server/request-activity";
import { servicesForSlug } from "@/lib/server/services";
import { receiveStripeWebhook } from "@/lib/payments/intake/receive-stripe-webhook";
import { countWebhook } from "@/lib/metrics";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const answered = beginDelivery();
  try {
    const { slug } = await params;
    return withApiSecurityHeaders(
      await handle(async () => {
        const services = await servicesForSlug(slug);
        if (!services) {
          // Not the slug as a label: anyone can write one. A burst of these is an endpoint registered with a wrong address.
          countWebhook("(none)", null, "refused");
          throw new HttpError(404, "unknown_dealer", "There is no dealer with this webhook address.");
        }
        return receiveStripeWebhook(services, request);
      }, request),
      request,
    );
  } finally {
    answered();
  }
}
