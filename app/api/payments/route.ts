import { handle } from "@/lib/http/responses";
import { createPayment } from "@/lib/payments/create-payment";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handle(async () => createPayment(await servicesForRequest(request.headers), request), request);
}
