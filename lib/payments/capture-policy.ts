// When an authorization is captured by itself (PAYMENT_CAPTURE=manual with PAYMENT_AUTO_CAPTURE_AFTER): decided by
// the dealer's settings, written on the payment as captureAt when it is authorized (the capture queue's due time).
import type { Config } from "../config";

type CaptureSettings = { config: Pick<Config, "payments"> };

/** Whether an authorization is due for automatic capture (PAYMENT_AUTO_CAPTURE_AFTER; unset = never). */
export function captureDue(services: CaptureSettings, authorizedAt: Date | null, now = new Date()): boolean {
  const after = services.config.payments.autoCaptureAfterMs;
  if (after === null || services.config.payments.capture !== "manual") return false;
  return (authorizedAt?.getTime() ?? 0) + after <= now.getTime();
}

/** When an authorization is to be captured automatically (Payment.captureAt), or null when a person decides. */
export function captureAtFor(config: Pick<Config, "payments">, authorizedAt: Date | null, now = new Date()): Date | null {
  const after = config.payments.autoCaptureAfterMs;
  if (after === null || config.payments.capture !== "manual") return null;
  return new Date((authorizedAt ?? now).getTime() + after);
}
