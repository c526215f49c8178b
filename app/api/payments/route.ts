import { handle } from "@/lib/http/responses";
import { createPayment } from "@/lib/payments/create-payment";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handle(() => createPayment(getServices(), request), request);
}
