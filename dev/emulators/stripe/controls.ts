/**
 * Test / sandbox controls under `/_emulator/*` (no auth, JSON in and out;
 * form bodies are accepted too, which the 3DS page uses):
 *
 *   GET  /_emulator/health
 *   GET  /_emulator/state                              payment intents, charges, refunds, events, deliveries
 *   POST /_emulator/reset
 *   GET  /_emulator/webhooks                           { endpoints, paused, mode }
 *   POST /_emulator/webhooks                           { endpoints: [{ url, secret, enabledEvents? }] }
 *   GET  /_emulator/deliveries
 *   POST /_emulator/deliveries/pause                   { paused: boolean, mode?: "hold" | "drop" }
 *   POST /_emulator/deliveries/flush                   waits until every queued attempt finished
 *   POST /_emulator/payment_intents/:id/authenticate   { outcome: "complete" | "fail" }
 *   POST /_emulator/refunds/:id/fail                   { failure_reason? } (default "unknown")
 *   POST /_emulator/charges/:id/dispute                { amount?, reason? } (default: the whole captured amount, "fraudulent")
 *   POST /_emulator/payouts                            { arrival_date? } pays out every balance transaction not yet paid out
 *   POST /_emulator/events/:id/resend                  { url? }
 *   GET  /_emulator/receipts                           the receipts Stripe would have e-mailed
 *   POST /_emulator/account                            { statement_descriptor_prefix?, statement_descriptor? }
 *   POST /_emulator/payment_method_domains/:id         { apple_pay?|google_pay?|link?|...: "active"|"inactive", error_message? }
 *   GET  /_emulator/3ds/:id?client_secret=...          3-D Secure challenge page (HTML)
 *   POST /_emulator/3ds/:id                            form: outcome, client_secret -> 303 to return_url
 */
import type http from "node:http";
import { StripeApiError } from "./errors";
import { decodeForm, type ParamObject } from "./form";
import type { EmulatorCore, ResponseSpec } from "./server";
import { challengePage, donePage, returnUrlWithResult } from "./three-ds";
import type { WebhookEndpoint } from "./webhooks";
import type { RefundFailureReason } from "./refunds";
import { configureAccount } from "./account";
import { sentReceipts } from "./receipts";
import { PAYMENT_METHOD_DOMAIN_WALLETS, setWalletStatus } from "./payment-method-domains";

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(status: number, value: unknown): ResponseSpec {
  return { status, body: JSON.stringify(value, null, 2) };
}

function parseBody(headers: http.IncomingHttpHeaders, body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  const type = String(headers["content-type"] ?? "");
  if (type.includes("application/x-www-form-urlencoded")) return decodeForm(body) as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new ControlError(400, "Control requests take a JSON object body.");
}

function parseEndpoints(value: unknown): WebhookEndpoint[] {
  if (!Array.isArray(value)) throw new ControlError(400, "`endpoints` must be an array of { url, secret }.");
  return value.map((e: unknown, i) => {
    const o = (e ?? {}) as Record<string, unknown>;
    if (typeof o["url"] !== "string" || typeof o["secret"] !== "string") {
      throw new ControlError(400, `endpoints[${i}] needs string \`url\` and \`secret\`.`);
    }
    const enabled = o["enabledEvents"] ?? o["enabled_events"];
    if (enabled !== undefined && !(Array.isArray(enabled) && enabled.every((x) => typeof x === "string"))) {
      throw new ControlError(400, `endpoints[${i}].enabledEvents must be an array of strings.`);
    }
    return { url: o["url"], secret: o["secret"], ...(enabled ? { enabledEvents: enabled as string[] } : {}) };
  });
}

function asBool(v: unknown, name: string): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw new ControlError(400, `\`${name}\` must be a boolean.`);
}

function asOutcome(v: unknown): "complete" | "fail" {
  if (v === "complete" || v === "fail") return v;
  throw new ControlError(400, '`outcome` must be "complete" or "fail".');
}

export async function handleControl(
  core: EmulatorCore,
  method: string,
  path: string,
  query: string,
  headers: http.IncomingHttpHeaders,
  rawBody: string,
): Promise<ResponseSpec> {
  try {
    const route = `${method} ${path.replace(/\/+$/, "")}`;
    let m: RegExpExecArray | null;
    switch (route) {
      case "GET /_emulator/health":
        return json(200, { ok: true, url: core.baseUrl, apiVersion: "2026-10-28.endive" });
      case "GET /_emulator/state":
        return json(200, core.state());
      case "POST /_emulator/reset":
        core.reset();
        return json(200, { ok: true });
      case "GET /_emulator/webhooks":
        return json(200, { endpoints: core.deliverer.getEndpoints(), ...core.deliverer.isPaused() });
      case "POST /_emulator/webhooks": {
        const body = parseBody(headers, rawBody);
        try {
          core.deliverer.setEndpoints(parseEndpoints(body["endpoints"]));
        } catch (err) {
          if (err instanceof ControlError) throw err;
          throw new ControlError(400, (err as Error).message);
        }
        return json(200, { endpoints: core.deliverer.getEndpoints() });
      }
      case "GET /_emulator/deliveries":
        return json(200, { deliveries: core.store.deliveries });
      case "POST /_emulator/deliveries/pause": {
        const body = parseBody(headers, rawBody);
        const paused = asBool(body["paused"], "paused");
        const mode = body["mode"] ?? "hold";
        if (mode !== "hold" && mode !== "drop") throw new ControlError(400, '`mode` must be "hold" or "drop".');
        core.deliverer.pause(paused, mode);
        return json(200, core.deliverer.isPaused());
      }
      case "POST /_emulator/deliveries/flush":
        await core.deliverer.flush();
        return json(200, { ok: true });
      case "GET /_emulator/receipts":
        return json(200, { receipts: sentReceipts(core.store) });
      case "POST /_emulator/account": {
        const body = parseBody(headers, rawBody);
        const prefix = body["statement_descriptor_prefix"];
        const descriptor = body["statement_descriptor"];
        if (prefix !== undefined && prefix !== null && typeof prefix !== "string") throw new ControlError(400, "`statement_descriptor_prefix` must be a string or null.");
        if (descriptor !== undefined && typeof descriptor !== "string") throw new ControlError(400, "`statement_descriptor` must be a string.");
        try {
          return json(
            200,
            configureAccount(core.store, {
              ...(prefix !== undefined ? { statementDescriptorPrefix: prefix as string | null } : {}),
              ...(descriptor !== undefined ? { statementDescriptor: descriptor as string } : {}),
            }),
          );
        } catch (err) {
          throw new ControlError(400, (err as Error).message);
        }
      }
    }

    if (method === "POST" && (m = /^\/_emulator\/payment_intents\/([^/]+)\/authenticate$/.exec(path))) {
      const body = parseBody(headers, rawBody);
      return json(200, core.authenticate(decodeURIComponent(m[1] ?? ""), asOutcome(body["outcome"])));
    }
    if (method === "POST" && (m = /^\/_emulator\/refunds\/([^/]+)\/fail$/.exec(path))) {
      const body = parseBody(headers, rawBody);
      const reason = body["failure_reason"] ?? "unknown";
      if (typeof reason !== "string") throw new ControlError(400, "`failure_reason` must be a string.");
      return json(200, core.failRefund(decodeURIComponent(m[1] ?? ""), reason as RefundFailureReason));
    }
    if (method === "POST" && (m = /^\/_emulator\/charges\/([^/]+)\/dispute$/.exec(path))) {
      const body = parseBody(headers, rawBody);
      const amount = body["amount"];
      const reason = body["reason"];
      if (amount !== undefined && typeof amount !== "number") throw new ControlError(400, "`amount` must be a number.");
      if (reason !== undefined && typeof reason !== "string") throw new ControlError(400, "`reason` must be a string.");
      return json(200, core.disputeCharge(decodeURIComponent(m[1] ?? ""), { amount, reason }));
    }
    if (route === "POST /_emulator/payouts") {
      const body = parseBody(headers, rawBody);
      const arrival = body["arrival_date"];
      if (arrival !== undefined && typeof arrival !== "number") throw new ControlError(400, "`arrival_date` must be unix seconds.");
      return json(200, { payouts: core.payOut(arrival === undefined ? {} : { arrivalDate: arrival }) });
    }
    if (method === "POST" && (m = /^\/_emulator\/events\/([^/]+)\/resend$/.exec(path))) {
      const body = parseBody(headers, rawBody);
      const url = body["url"];
      if (url !== undefined && typeof url !== "string") throw new ControlError(400, "`url` must be a string.");
      const endpoints = core.resend(decodeURIComponent(m[1] ?? ""), url);
      return json(200, { ok: true, endpoints });
    }
    if (method === "POST" && (m = /^\/_emulator\/payment_method_domains\/([^/]+)$/.exec(path))) {
      const body = parseBody(headers, rawBody);
      const id = decodeURIComponent(m[1] ?? "");
      const errorMessage = body["error_message"];
      if (errorMessage !== undefined && typeof errorMessage !== "string") throw new ControlError(400, "`error_message` must be a string.");
      let result: unknown = null;
      for (const wallet of PAYMENT_METHOD_DOMAIN_WALLETS) {
        const status = body[wallet];
        if (status === undefined) continue;
        if (status !== "active" && status !== "inactive") throw new ControlError(400, `\`${wallet}\` must be "active" or "inactive".`);
        result = setWalletStatus(core.store, id, wallet, status, errorMessage as string | undefined);
      }
      if (result === null) throw new ControlError(400, `Name at least one of ${PAYMENT_METHOD_DOMAIN_WALLETS.join(", ")}.`);
      return json(200, result);
    }
    if ((m = /^\/_emulator\/3ds\/([^/]+)$/.exec(path))) {
      return threeDS(core, method, decodeURIComponent(m[1] ?? ""), query, headers, rawBody);
    }
    throw new ControlError(404, `Unknown emulator control: ${method} ${path}`);
  } catch (err) {
    if (err instanceof ControlError) return json(err.status, { error: { type: "invalid_request_error", message: err.message } });
    if (err instanceof StripeApiError) return json(err.status, { error: err.body });
    throw err;
  }
}

function threeDS(
  core: EmulatorCore,
  method: string,
  id: string,
  query: string,
  headers: http.IncomingHttpHeaders,
  rawBody: string,
): ResponseSpec {
  const rec = core.store.paymentIntents.get(id);
  if (!rec) throw new ControlError(404, `No such payment_intent: '${id}'`);
  const params: ParamObject = method === "POST" ? { ...decodeForm(query), ...(parseBody(headers, rawBody) as ParamObject) } : decodeForm(query);
  const secret = typeof params["client_secret"] === "string" ? params["client_secret"] : "";
  if (secret !== rec.pi.client_secret) throw new ControlError(403, "The client_secret does not match this PaymentIntent.");
  const html = (status: number, body: string): ResponseSpec => ({ status, body, contentType: "text/html; charset=utf-8" });
  if (method === "GET") return html(200, challengePage(rec.pi, secret, `${core.baseUrl}/_emulator/3ds/${encodeURIComponent(id)}`));
  if (method !== "POST") throw new ControlError(405, "Use GET or POST.");
  const outcome = asOutcome(params["outcome"]);
  const returnUrl = rec.pi.next_action?.type === "redirect_to_url" ? rec.pi.next_action.redirect_to_url?.return_url : undefined;
  // A second submit (back button, double click) just shows the result.
  if (rec.pi.status !== "requires_action") return html(409, donePage(rec.pi, outcome));
  const pi = core.authenticate(id, outcome);
  if (returnUrl) return { status: 303, headers: { Location: returnUrlWithResult(returnUrl, pi) }, body: "", contentType: "text/plain" };
  return html(200, donePage(pi, outcome));
}
