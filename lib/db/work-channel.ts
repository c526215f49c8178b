// Wake-ups between processes that share one PostgreSQL database: a row stored by one instance is worked on at once
// by another instance's worker, instead of after that worker's next poll. NOTIFY is sent on the app's own pool, the
// hints of several rows to a notification; LISTEN needs a connection of its own, kept open and reconnected with
// backoff (after a reconnection the listener is told to look for work, since notifications sent meanwhile are lost).
// Polling stays as the safety net. Payloads are short strings the caller defines. SQLite has one writer process:
// nothing to do there.
import { Client } from "pg";
import type { DirectSql } from "./direct";
import type { DatabaseTarget } from "./url";
import { postgresPoolConfig } from "./url";

/** One channel per database and schema: several ledgers in one cluster never wake each other. */
export function workChannelName(target: DatabaseTarget): string {
  const schema = target.provider === "postgres" && target.schema ? `_${target.schema.toLowerCase().replace(/[^a-z0-9_]/g, "_")}` : "";
  return `gateway_work${schema}`.slice(0, 63);
}

/** PostgreSQL refuses a payload of 8,000 bytes or more: a notification is sent before it would grow past this. */
const MAX_PAYLOAD_BYTES = 7_000;

/**
 * Sends payloads on the work channel, those of one turn of the event loop together: a burst of webhooks costs a
 * notification per few hundred rows, not a statement per row. Each notification is `origin`, then one payload per
 * line (payloads never contain a line break). Sent on the driver's pool, never through the ORM; never throws (a lost
 * wake-up costs at most one poll interval).
 */
export class WorkNotifier {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly sql: DirectSql,
    private readonly channel: string,
    private readonly origin: string,
  ) {}

  notify(payload: string): void {
    const size = Buffer.byteLength(payload) + 1;
    if (this.bytes + size > MAX_PAYLOAD_BYTES - Buffer.byteLength(this.origin)) this.flush();
    this.lines.push(payload);
    this.bytes += size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const payload = [this.origin, ...this.lines].join("\n");
    this.lines = [];
    this.bytes = 0;
    void this.sql.execute("SELECT pg_notify(?, ?)", [this.channel, payload]).catch(() => {});
  }
}

/** The work channel's notifier for this database, or none (SQLite). */
export function workNotifier(sql: DirectSql, target: DatabaseTarget, origin: string): WorkNotifier | undefined {
  return target.provider === "postgres" ? new WorkNotifier(sql, workChannelName(target), origin) : undefined;
}

export interface WorkListener {
  /** A notification's payload. */
  onNotice(payload: string): void;
  /** The connection was (re)established: notifications may have been missed, look for work. */
  onConnected(): void;
  onError?(error: unknown): void;
}

/** Listens on the work channel until `close()`. */
export class WorkChannelListener {
  private client: Client | undefined;
  private closed = false;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly target: DatabaseTarget,
    private readonly listener: WorkListener,
  ) {}

  start(): void {
    if (this.target.provider !== "postgres") return;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    if (this.target.provider !== "postgres") return;
    const client = new Client({ ...postgresPoolConfig(this.target) });
    this.client = client;
    const retry = (error: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      void client.end().catch(() => {});
      if (this.closed) return;
      this.listener.onError?.(error);
      this.timer = setTimeout(() => void this.connect(), this.retryMs);
      this.timer.unref?.();
      this.retryMs = Math.min(30_000, this.retryMs * 2);
    };
    client.on("error", retry);
    client.on("end", () => retry(new Error("the LISTEN connection ended")));
    client.on("notification", (message) => {
      if (message.payload) this.listener.onNotice(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${workChannelName(this.target)}"`);
      this.retryMs = 500;
      this.listener.onConnected();
    } catch (error) {
      retry(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}
