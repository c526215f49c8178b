// Paths and small utilities shared by the benchmark's parts.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const BENCH = path.join(ROOT, "bench");
export const FLOOR_DIR = path.join(BENCH, "floor");
/** Git-ignored: results, logs, databases. */
export const RESULTS = path.join(BENCH, "results");
export const WORK = path.join(RESULTS, "work");
export const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const PRISMA_BIN = path.join(ROOT, "node_modules", "prisma", "build", "index.js");
export const TSX_BIN = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

export const WEBHOOK_SECRET = "whsec_bench_0123456789abcdef";

export function ensureDirs(): void {
  fs.mkdirSync(WORK, { recursive: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
