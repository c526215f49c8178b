// The automatic top-up manage link's token in the payer's browser (lib/autotopup/checkout-proof.ts says why the
// checkout needs it). Kept per dealer and Navixy user in localStorage by the return page of the enrolment and by the
// checkout when the manage page's "Confirm with my bank" opened it with `#confirm=<token>`; dropped when the server
// says it is no longer a valid link of that user's rule. Nothing here is sent anywhere but our own API.
import { CONFIRM_FRAGMENT } from "@/lib/autotopup/checkout-proof";

const key = (base: string, userId: number) => `navixy-gateway:auto-top-up-link:${base || "/"}:${userId}`;

export function rememberManageToken(base: string, userId: number, token: string): void {
  try {
    window.localStorage.setItem(key(base, userId), token);
  } catch {
    // Storage off (private mode, a policy): the payer can still come through the manage page's button.
  }
}

export function recallManageToken(base: string, userId: number): string | null {
  try {
    return window.localStorage.getItem(key(base, userId));
  } catch {
    return null;
  }
}

export function forgetManageToken(base: string, userId: number): void {
  try {
    window.localStorage.removeItem(key(base, userId));
  } catch {
    // Nothing kept.
  }
}

/** `#confirm=<token>` in the address: taken out of it (so it is not bookmarked or shared with the page) and returned. */
export function takeConfirmFragment(): string | null {
  const m = new RegExp(`^#${CONFIRM_FRAGMENT}=([^&#]{1,300})$`).exec(window.location.hash);
  if (!m) return null;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}
