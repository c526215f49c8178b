// The worker shares its process with the webhook route. While deliveries are being answered it holds back (one row at
// a time, each a moment later), so a burst is acknowledged first and credited right after. A flow that does not stop
// (Stripe sending hundreds of events a second after an outage) would then hold the credits back for as long as it
// lasts: the worker holds back for at most a stretch of `maxHoldMs`, then works at its usual pace until the
// deliveries pause.

export class DeliveryGiveWay {
  /** When the current stretch of holding back began (0: deliveries have paused since). */
  private since = 0;

  constructor(
    /** Whether deliveries are being answered now (lib/server/request-activity.ts). */
    private readonly busy: () => boolean,
    private readonly maxHoldMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether to hold back now. */
  holdBack(): boolean {
    if (!this.busy()) {
      this.since = 0;
      return false;
    }
    const now = this.now();
    if (this.since === 0) this.since = now;
    return now - this.since < this.maxHoldMs;
  }
}
