// The dealer's favicon, from our own origin (lib/branding/brand-image.ts).
import { serveBrandImage } from "@/lib/branding/dealer-brand";
import { servicesForRequest } from "@/lib/server/request-dealer";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return serveBrandImage(await servicesForRequest(request.headers), "favicon");
}
