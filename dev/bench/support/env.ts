// Paths and small utilities shared by the benchmark's parts.
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");
export const BENCH = path.join(ROOT, "dev", "bench");
export const FLOOR_DIR = path.join(BENCH, "floor");
/** Git-ignored: results, logs, databases. */
export const RESULTS = path.join(BENCH, "results");
export const WORK = path.join(RESULTS, "work");
export const TSX_BIN = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

export const WEBHOOK_SECRET = "whsec_bench_0123456789abcdef";

export function ensureDirs(): void {
  fs.mkdirSync(WORK, { recursive: true });
}

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
