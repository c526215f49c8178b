// One worker lane per dealer, all in this process. Each lane is a LedgerWorker on that dealer's services (its
// Stripe and Navixy clients, the database scoped to its rows), with its own queues, retries and periodic jobs: one
// dealer's Navixy outage or backlog slows only its own lane, never another dealer's credits. The environment's
// dealer always has a lane; hosted dealers get one when they appear (suspended ones keep theirs: the money they
// took is still credited) and lose it when removed. A lane whose dealer's settings changed is restarted.
import { logger } from "../logging/logger";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { getServices, servicesForDealerRow, type Services } from "./services";

const REFRESH_MS = 15_000;

interface Lane {
  services: Services;
  worker: LedgerWorker;
}

export class WorkerPool {
  private readonly lanes = new Map<string, Lane>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshing: Promise<void> | undefined;
  private running = false;
  private readonly log = logger.child({ component: "worker-pool" });

  constructor(private readonly makeWorker: (services: Services) => LedgerWorker) {}

  /** The lanes' worker ids, by dealer id. */
  get workers(): ReadonlyMap<string, LedgerWorker> {
    return new Map([...this.lanes].map(([id, lane]) => [id, lane.worker]));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.lanes.values()].map((l) => l.worker.stop()));
    this.lanes.clear();
  }

  /** Runs every lane until nothing is due (commands and tests). */
  async drain(timeoutMs?: number): Promise<void> {
    await this.refresh();
    await Promise.all([...this.lanes.values()].map((l) => l.worker.drain(timeoutMs)));
  }

  /** Brings the lanes in line with the dealers in the database. Never throws: a broken dealer is logged, skipped. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const root = getServices();
    const wanted = new Map<string, Services>([[root.dealer.id, root]]);
    try {
      for (const row of await root.rootDb.dealer.findMany()) {
        const { id } = row;
        try {
          wanted.set(id, servicesForDealerRow(row));
        } catch (error) {
          // Its lane (if any) keeps its last good settings; its own problem is the setup page's and the log's.
          const lane = this.lanes.get(id);
          if (lane) wanted.set(id, lane.services);
          this.log.error({ dealerId: id, err: error }, "dealer's settings cannot be used: its lane keeps the last good ones");
        }
      }
    } catch (error) {
      this.log.error({ err: error }, "could not list dealers");
      for (const [id, lane] of this.lanes) wanted.set(id, lane.services);
    }
    if (!this.running) return;
    for (const [id, lane] of this.lanes) {
      if (wanted.get(id) === lane.services) continue;
      await lane.worker.stop();
      this.lanes.delete(id);
    }
    for (const [id, services] of wanted) {
      if (this.lanes.has(id)) continue;
      const worker = this.makeWorker(services);
      this.lanes.set(id, { services, worker });
      worker.start();
      this.log.info({ dealerId: id, worker: worker.id }, "worker lane started");
    }
  }
}
