/**
 * The emulators for a benchmark run, in their own process so that the load generator never delays them:
 *
 *   npx tsx dev/bench/support/emulators.ts
 *
 * Starts the Stripe emulator (no webhook endpoint: the benchmark signs and sends the events itself) and the
 * Navixy emulator (the demo users, EUR) on free ports of 127.0.0.1, and the credit recorder (below); prints one
 * JSON line describing them, and runs until SIGTERM/SIGINT.
 *
 * The credit recorder: the Navixy emulator keeps its last 10,000 calls only, and a run of the dealers suite makes
 * more than that. While recording, this process reads the emulator's call log every 250 ms and keeps, per
 * PaymentIntent named in a change_balance text, when its first call arrived and how many of its calls were applied:
 *
 *   POST /record/start   forget what was recorded, record from now on
 *   POST /record/stop    stop reading the call log
 *   GET  /credits        reads the log once more, then [[paymentIntentId, firstCallAtMs, appliedCalls], ...]
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startStripeEmulator } from "../../emulators/stripe/server";
import { startNavixyEmulator, DEMO_USERS, type NavixyEmulator } from "../../emulators/navixy";

export const BENCH_STRIPE_SECRET_KEY = "sk_test_emulator";
export const BENCH_STRIPE_PUBLISHABLE_KEY = "pk_test_emulator";

/** Outcomes of a call still under way (a delay or hold fault): looked at again on the next read. */
const OPEN = new Set(["pending", "delayed", "held"]);
const CREDIT_METHODS = new Set(["panel/user/transaction/change_balance", "balance/refill"]);

class CreditRecorder {
  /** Every call up to this seq has been looked at and was final. */
  private doneSeq = 0;
  /** Calls after doneSeq already recorded (final, while an earlier one was still open). */
  private readonly seen = new Set<number>();
  private readonly credits = new Map<string, { firstAt: number; applied: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly navixy: NavixyEmulator) {}

  start(): void {
    this.stop();
    this.credits.clear();
    this.seen.clear();
    const calls = this.navixy.calls();
    this.doneSeq = calls.length ? calls[calls.length - 1]!.seq : 0;
    this.timer = setInterval(() => this.read(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  read(): void {
    const calls = this.navixy.calls();
    // Calls dropped from the log before they were read are lost to the recorder (it reads far more often).
    if (calls.length && calls[0]!.seq > this.doneSeq + 1) this.doneSeq = calls[0]!.seq - 1;
    let contiguous = true;
    for (const c of calls) {
      if (c.seq <= this.doneSeq) continue;
      const final = !OPEN.has(c.outcome);
      if (final && !this.seen.has(c.seq)) {
        this.seen.add(c.seq);
        this.record(c);
      }
      if (final && contiguous) {
        this.doneSeq = c.seq;
        this.seen.delete(c.seq);
      } else contiguous = false;
    }
  }

  private record(c: ReturnType<NavixyEmulator["calls"]>[number]): void {
    if (!CREDIT_METHODS.has(c.method)) return;
    const pi = /payment (pi_[A-Za-z0-9]+)/.exec(String(c.params["text"] ?? c.params["description"] ?? ""))?.[1];
    if (!pi) return;
    const at = Date.parse(c.at);
    const entry = this.credits.get(pi);
    if (entry) {
      entry.firstAt = Math.min(entry.firstAt, at);
      if (c.applied) entry.applied++;
    } else this.credits.set(pi, { firstAt: at, applied: c.applied ? 1 : 0 });
  }

  snapshot(): [string, number, number][] {
    if (this.timer) this.read();
    return [...this.credits].map(([pi, e]) => [pi, e.firstAt, e.applied]);
  }
}

function startRecorderServer(recorder: CreditRecorder): Promise<string> {
  const server = http.createServer((req, res) => {
    const route = `${req.method} ${req.url}`;
    req.resume();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (route === "POST /record/start") {
      recorder.start();
      send(200, { ok: true });
    } else if (route === "POST /record/stop") {
      recorder.stop();
      send(200, { ok: true });
    } else if (route === "GET /credits") send(200, { credits: recorder.snapshot() });
    else send(404, { error: `no route ${route}` });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function main(): Promise<void> {
  const stripe = await startStripeEmulator({
    webhooks: [],
    secretKey: BENCH_STRIPE_SECRET_KEY,
    publishableKey: BENCH_STRIPE_PUBLISHABLE_KEY,
  });
  const navixy = await startNavixyEmulator({ currency: "EUR", users: DEMO_USERS });
  const recorderUrl = await startRecorderServer(new CreditRecorder(navixy));
  process.stdout.write(
    JSON.stringify({
      stripeUrl: stripe.url,
      navixyUrl: navixy.url,
      navixyApiUrl: navixy.apiUrl,
      recorderUrl,
      login: navixy.credentials.login,
      password: navixy.credentials.password,
    }) + "\n",
  );
  const stop = async () => {
    await Promise.allSettled([stripe.close(), navixy.close()]);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

if (process.argv[1]?.endsWith("emulators.ts")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  });
}
