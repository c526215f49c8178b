// The checkout at "/" must answer with the right HTTP status (400 bad link, 404 unknown account,
// 503 Navixy unreachable), which a page cannot set. So the proxy loads the checkout first: on failure it
// answers with a small HTML page itself; on success it passes the loaded checkout to app/page.tsx in a
// request header, so the page does not ask Navixy a second time.
import { NextResponse, type NextRequest } from "next/server";
import { loadCheckout, type CheckoutResult } from "@/lib/checkout/load-checkout";
import { CHECKOUT_ERRORS, errorPageResponse } from "@/lib/checkout/error-page";
import { getServices } from "@/lib/server/services";
import { isSandboxMode } from "@/lib/sandbox/mode";
import { CHECKOUT_HEADER, encodeCheckoutHeader } from "@/components/checkout/checkout-header";

export async function proxy(request: NextRequest): Promise<Response> {
  const headers = new Headers(request.headers);
  // Whatever the browser sent under this name never reaches the page.
  headers.delete(CHECKOUT_HEADER);

  if (request.method !== "GET" && request.method !== "HEAD") {
    return NextResponse.next({ request: { headers } });
  }

  let result: CheckoutResult;
  try {
    result = await loadCheckout(getServices(), request.nextUrl.searchParams.get("id") ?? undefined);
  } catch (error) {
    // Configuration or database trouble: loadCheckout itself reports Navixy failures as "unavailable".
    console.error("Checkout could not be loaded:", error instanceof Error ? error.message : error);
    result = { kind: "unavailable" };
  }

  const page = { sandbox: isSandboxMode() };
  switch (result.kind) {
    case "ok":
      headers.set(CHECKOUT_HEADER, encodeCheckoutHeader(result.checkout));
      return NextResponse.next({ request: { headers } });
    case "invalid_id":
      return errorPageResponse(CHECKOUT_ERRORS.invalid_id, {}, page);
    case "not_found":
      return errorPageResponse(CHECKOUT_ERRORS.not_found, {}, page);
    case "unavailable":
      return errorPageResponse(CHECKOUT_ERRORS.unavailable, { "retry-after": "60" }, page);
  }
}

export const config = {
  matcher: "/",
};
