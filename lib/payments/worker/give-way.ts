// The worker shares its process with the webhook route. While a burst of new events is being answered it holds back
// (it starts no row; rows in flight go on), so the burst is acknowledged first and credited right after. A burst that
// does not end (Stripe sending hundreds of events a second after an outage), or traffic that keeps crossing the
// burst's threshold, would then hold the credits back for as long as it lasts: the worker holds back for at most
// `maxHoldMs` of bursts in one stretch, then works at its usual pace until the bursts have paused for `quietMs`.

export class DeliveryGiveWay {
  /** Burst time counted in the current stretch (the runs that ended). */
  private heldMs = 0;
  /** When the current run of bursts began (0: no burst at the last look). */
  private burstSince = 0;
  /** When the last run of bursts ended (0: none since the stretch began). */
  private quietSince = 0;

  constructor(
    /** Whether a burst of new events is being answered now (lib/server/request-activity.ts). */
    private readonly busy: () => boolean,
    private readonly maxHoldMs: number,
    /** A pause of bursts this long ends the stretch: the next burst is answered first again. */
    private readonly quietMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether to hold back now. */
  holdBack(): boolean {
    const now = this.now();
    const rested = this.quietSince > 0 && now - this.quietSince >= this.quietMs;
    if (!this.busy()) {
      if (this.burstSince) {
        this.heldMs += now - this.burstSince;
        this.burstSince = 0;
        this.quietSince = now;
      } else if (rested) {
        this.heldMs = 0;
        this.quietSince = 0;
      }
      return false;
    }
    if (!this.burstSince) {
      if (rested) this.heldMs = 0;
      this.burstSince = now;
      this.quietSince = 0;
    }
    return this.heldMs + (now - this.burstSince) < this.maxHoldMs;
  }
}
