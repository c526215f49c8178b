// How proxy.ts hands the checkout it loaded to app/page.tsx: one request header, JSON, URI-encoded
// (a masked name may hold non-ASCII letters, and header values must be Latin-1). The proxy always
// overwrites the header, so a value sent by the browser never reaches the page. No secrets in here:
// CheckoutProps holds only what the page shows anyway.
import type { CheckoutProps } from "@/lib/checkout/load-checkout";

export const CHECKOUT_HEADER = "x-gateway-checkout";

export function encodeCheckoutHeader(checkout: CheckoutProps): string {
  return encodeURIComponent(JSON.stringify(checkout));
}

/** The CheckoutProps in the header, or null when absent or not the expected shape. */
export function decodeCheckoutHeader(value: string | null | undefined): CheckoutProps | null {
  if (!value) return null;
  let data: unknown;
  try {
    data = JSON.parse(decodeURIComponent(value));
  } catch {
    return null;
  }
  return isCheckoutProps(data) ? data : null;
}

const isMinor = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function isCheckoutProps(v: unknown): v is CheckoutProps {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  const limits = c.limits as Record<string, unknown> | null | undefined;
  return (
    typeof c.userId === "number" &&
    Number.isSafeInteger(c.userId) &&
    typeof c.maskedName === "string" &&
    typeof c.currency === "string" &&
    /^[A-Za-z]{3}$/.test(c.currency) &&
    typeof c.publishableKey === "string" &&
    typeof c.returnUrl === "string" &&
    /^https?:\/\//.test(c.returnUrl) &&
    typeof c.captureManual === "boolean" &&
    (c.maskedReceiptEmail === undefined || typeof c.maskedReceiptEmail === "string") &&
    typeof limits === "object" &&
    limits !== null &&
    typeof limits.currency === "string" &&
    isMinor(limits.min) &&
    isMinor(limits.max) &&
    isMinor(limits.step) &&
    limits.step > 0 &&
    Array.isArray(limits.presets) &&
    limits.presets.every(isMinor)
  );
}
