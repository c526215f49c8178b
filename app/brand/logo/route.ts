// The dealer's logo, from our own origin (lib/branding/brand-image.ts).
import { serveBrandImage } from "@/lib/branding/dealer-brand";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export function GET() {
  return serveBrandImage(getServices(), "logo");
}
