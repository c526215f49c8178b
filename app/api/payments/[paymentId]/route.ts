import { handle } from "@/lib/http/responses";
import { getPaymentStatus } from "@/lib/payments/payment-status";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ paymentId: string }> }) {
  const { paymentId } = await params;
  return handle(async () => getPaymentStatus(await servicesForRequest(request.headers), paymentId), request);
}
