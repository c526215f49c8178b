// A worker's claim on one ledger row. A claim is fenced by the row's version: every claim increments it,
// so a worker that still believes it holds a row after another has taken it over can find that out with one
// conditional update, and must then stop without touching Navixy. While the row is worked on, a heartbeat
// renews the lease, so a slow Navixy never lets a live worker's claim run out; a dead worker's claim runs out
// within one lease, and another worker takes the row over in seconds.

/** Extends the lease of a row we hold: an UPDATE conditioned on id, owner and version. Returns rows updated. */
export type RenewLease = (where: { id: string; leaseOwner: string; version: number }, leaseUntil: Date) => Promise<number>;

export class Lease {
  private lostAt: Date | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private renewing: Promise<boolean> | undefined;

  constructor(
    private readonly renewRow: RenewLease,
    readonly row: { id: string; leaseOwner: string; version: number },
    private readonly leaseMs: number,
    private readonly onLost: (row: { id: string }) => void = () => {},
  ) {}

  /** The WHERE that matches the row only while this claim holds. */
  get where(): { id: string; leaseOwner: string; version: number } {
    return this.row;
  }

  get lost(): boolean {
    return this.lostAt !== undefined;
  }

  /** Renews the lease every third of its length until `stop()`. */
  startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renew().catch(() => {}), Math.max(200, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref?.();
  }

  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * Checks the claim still holds and extends it to at least `coverMs` from now (never shorter than one lease).
   * Called right before every call that moves money: false means another worker has the row, and the caller
   * must stop without sending. Concurrent calls share one round trip.
   */
  async renew(coverMs = 0): Promise<boolean> {
    if (this.lost) return false;
    if (this.renewing && coverMs === 0) return this.renewing;
    const attempt = (async () => {
      const until = new Date(Date.now() + Math.max(this.leaseMs, coverMs));
      const updated = await this.renewRow(this.row, until);
      if (updated === 0 && !this.lost) {
        this.lostAt = new Date();
        this.stop();
        this.onLost(this.row);
      }
      return !this.lost;
    })();
    this.renewing = attempt;
    try {
      return await attempt;
    } finally {
      if (this.renewing === attempt) this.renewing = undefined;
    }
  }
}
