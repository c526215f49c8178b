// Sending one alert message: an e-mail through the dealer's (or the deployment's) mail server with nodemailer, or a
// JSON POST to the dealer's webhook (Slack's incoming webhooks read its `text`). Each bounded by ALERT_SEND_TIMEOUT,
// connecting included, so a dead or hanging server costs a send that much and no more; a failure throws, and the
// delivery is retried later (deliveries.ts). Neither the mail server's URL nor the webhook's (both carry secrets)
// ever appears in an error.
import { createTransport } from "nodemailer";
import type { AlertMessage } from "./message";

export class AlertSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AlertSendError";
  }
}

/** Runs `fn` with a hard deadline: whatever it waits on, the send is given up after `ms`. */
async function within<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      fn(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new AlertSendError(`${what}: no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short reason without the server's address or credentials. */
function reason(error: unknown, secrets: string[]): string {
  const e = error as { code?: string; responseCode?: number; message?: string };
  let text = e?.responseCode ? `the mail server answered ${e.responseCode}` : e?.code ? String(e.code) : (e?.message ?? String(error));
  for (const s of secrets) if (s) text = text.split(s).join("[redacted]");
  return text.slice(0, 300);
}

export async function sendAlertEmail(email: { smtpUrl: string; from: string; to: string[] }, message: AlertMessage, timeoutMs: number): Promise<void> {
  const transport = createTransport({
    url: email.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  try {
    await within(timeoutMs, "e-mail", () =>
      transport.sendMail({
        from: email.from,
        to: email.to,
        subject: message.subject,
        text: message.text,
        headers: { "X-Gateway-Alert": message.json.alerts.map((a) => a.incidentId).join(" ") },
      }),
    );
  } catch (error) {
    if (error instanceof AlertSendError) throw error;
    let password = "";
    try {
      password = decodeURIComponent(new URL(email.smtpUrl).password);
    } catch {
      /* no password to hide */
    }
    const timedOut = (error as { code?: string }).code === "ETIMEDOUT";
    throw new AlertSendError(`e-mail not sent: ${timedOut ? `the mail server gave no answer within ${timeoutMs} ms` : reason(error, [email.smtpUrl, password])}`);
  } finally {
    transport.close();
  }
}

export async function postAlertWebhook(url: string, message: AlertMessage, timeoutMs: number): Promise<void> {
  let status: number;
  try {
    status = await within(timeoutMs, "webhook", async (signal) => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "navixy-stripe-gateway alerts" },
        body: JSON.stringify(message.json),
        signal,
        // A redirect is not followed: the address was given, not wherever it points.
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    });
  } catch (error) {
    if (error instanceof AlertSendError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new AlertSendError(`webhook not reached: ${cause ?? reason(error, [url])}`);
  }
  if (status < 200 || status >= 300) throw new AlertSendError(`webhook answered HTTP ${status}`);
}
