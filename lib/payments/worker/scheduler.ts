// Periodic jobs beside the two queues: the sweep, captures that fall due, automatic top-up. Each runs at
// most once per interval in this worker; several workers running the same job at once do no harm (each
// job claims what it works on). Which jobs run is decided where the worker is built (lib/server/worker.ts).

/** A job the worker runs every `intervalMs`. Its report's counts are logged when any is above zero. */
export interface PeriodicJob {
  name: string;
  intervalMs: number;
  run(): Promise<Record<string, number>>;
}

export class Scheduler {
  private readonly lastRunAt = new Map<string, number>();

  constructor(private readonly jobs: readonly PeriodicJob[]) {}

  /** Runs every job whose interval has passed, one after the other. Returns the reports worth logging. */
  async runDue(now = Date.now()): Promise<{ job: string; report: Record<string, number> }[]> {
    const reports: { job: string; report: Record<string, number> }[] = [];
    for (const job of this.jobs) {
      if (now - (this.lastRunAt.get(job.name) ?? 0) < job.intervalMs) continue;
      this.lastRunAt.set(job.name, now);
      const report = await job.run();
      if (Object.values(report).some((n) => n > 0)) reports.push({ job: job.name, report });
    }
    return reports;
  }
}
