// A worker's claim on one ledger row. A claim is fenced by the row's version: every claim increments it,
// so a worker that still believes it holds a row after another has taken it over can find that out with one
// conditional update, and must then stop without touching Navixy. While the row is worked on, a heartbeat
// renews the lease, so a slow Navixy never lets a live worker's claim run out; a dead worker's claim runs out
// within one lease (mid-call: at the call's deadline, if that is later), and another worker takes the row over.
// A renewal never moves the lease earlier than one before it granted.

/** Extends the lease of a row we hold: an UPDATE conditioned on id, owner and version. Returns rows updated. */
export type RenewLease = (where: { id: string; leaseOwner: string; version: number }, leaseUntil: Date) => Promise<number>;

export class Lease {
  private lostAt: Date | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private renewing: Promise<boolean> | undefined;
  /** Renewals run one after another: a slow UPDATE never lands after a later one and undoes it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The furthest a renewal was asked to cover (epoch ms): no later renewal writes an earlier leaseUntil. */
  private coveredUntil = 0;

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
   * Checks the claim still holds and extends it: to one lease from now, and to at least `coverMs` from now (a
   * call's deadline), never earlier than a cover granted before. Called right before every call that moves money:
   * false means another worker has the row, and the caller must stop without sending. A heartbeat while a renewal
   * is pending shares it.
   */
  async renew(coverMs = 0): Promise<boolean> {
    if (this.lost) return false;
    if (this.renewing && coverMs === 0) return this.renewing;
    const coverUntil = Date.now() + coverMs;
    const attempt = this.queue.then(async () => {
      if (this.lost) return false;
      this.coveredUntil = Math.max(this.coveredUntil, coverUntil);
      const until = new Date(Math.max(Date.now() + this.leaseMs, this.coveredUntil));
      const updated = await this.renewRow(this.row, until);
      if (updated === 0 && !this.lost) {
        this.lostAt = new Date();
        this.stop();
        this.onLost(this.row);
      }
      return !this.lost;
    });
    this.queue = attempt.catch(() => undefined);
    this.renewing = attempt;
    try {
      return await attempt;
    } finally {
      if (this.renewing === attempt) this.renewing = undefined;
    }
  }
}
