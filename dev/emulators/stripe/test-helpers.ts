/** Shared fixtures for the emulator's tests: the emulator, the real SDK, a webhook receiver. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { startStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from "./server";

export const SECRET_KEY = "sk_test_emulator";
export const PUBLISHABLE_KEY = "pk_test_emulator";
export const WEBHOOK_SECRET = "whsec_test_emulator_secret";

export interface Harness {
  emulator: StripeEmulator;
  stripe: Stripe;
  close(): Promise<void>;
}

export async function startHarness(opts: StripeEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startStripeEmulator({ webhookRetryDelaysMs: [50, 100, 200], webhookTimeoutMs: 2000, ...opts });
  const stripe = sdk(emulator);
  return { emulator, stripe, close: () => emulator.close() };
}

/**
 * One emulator for the enclosing test file or describe block, reset before each test: the hooks every
 * test file would otherwise repeat. Its fields can be read once the tests run.
 */
export function useHarness(opts: StripeEmulatorOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(opts);
  });
  afterAll(async () => current?.close());
  beforeEach(() => current?.emulator.reset());
  const started = () => {
    if (!current) throw new Error("the emulator starts in beforeAll: use the harness inside hooks and tests");
    return current;
  };
  return {
    get emulator() {
      return started().emulator;
    },
    get stripe() {
      return started().stripe;
    },
    close: () => started().close(),
  };
}

export function sdk(emulator: StripeEmulator, key = SECRET_KEY): Stripe {
  return new Stripe(key, { host: "127.0.0.1", port: emulator.port, protocol: "http", maxNetworkRetries: 0 });
}

/** Raw HTTP call, e.g. to act as Stripe.js (publishable key) or to hit the controls. */
export async function call(
  emulator: StripeEmulator,
  method: string,
  path: string,
  opts: { key?: string | null; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null && opts.key !== undefined) headers["authorization"] = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${emulator.url}${path}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer for the n-th request (0-based); default 200. */
  respond: (index: number, body: string) => number;
  close(): Promise<void>;
}

export async function startReceiver(respond: (index: number, body: string) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = { url: "", received, respond, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const index = received.length;
      received.push({ body, signature: String(req.headers["stripe-signature"] ?? ""), headers: req.headers, at: Date.now() });
      const status = receiver.respond(index, body);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ received: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

export function eventTypes(emulator: StripeEmulator, objectId?: string): string[] {
  return emulator
    .events()
    .filter((e) => objectId === undefined || (e.data.object as { id?: string; payment_intent?: string }).id === objectId || (e.data.object as { payment_intent?: string }).payment_intent === objectId)
    .map((e) => e.type);
}

/** The Stripe SDK error a call ends in (fails the test if it succeeds or throws anything else). */
export async function errorOf(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Stripe.errors.StripeError);
  return err as Stripe.errors.StripeError;
}
