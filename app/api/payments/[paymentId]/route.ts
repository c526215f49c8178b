import { handle } from "@/lib/http/responses";
import { getPaymentStatus } from "@/lib/payments/payment-status";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ paymentId: string }> }) {
  const { paymentId } = await params;
  return handle(() => getPaymentStatus(getServices(), paymentId), request);
}
