// What each alert means and what fixes it: the words of every message, the console and the README's table.
// A kind is one thing a dealer must hear of; its subject says which (a Navixy method), "" for the dealer as a whole.

export const ALERT_KINDS = [
  "credit_attention",
  "debit_attention",
  "refund_failed",
  "credits_waiting",
  "navixy_login",
  "navixy_permission",
  "stripe_key",
  "no_webhooks",
  "dealer_backed_off",
  "authorization_expiring",
  "reconciliation_difference",
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

export interface KindText {
  /** The message's headline with the count: "3 credits need a person". */
  title(count: number, subject: string): string;
  /** What to do, in a sentence or two. */
  action: string;
  /** The operator command that shows or fixes it ({dealer} becomes `--dealer <slug> ` for a hosted dealer). */
  command: string;
  /** The console page that shows it. */
  consolePath: string;
  /** Must it hold this long before it is told (a failing login for a few minutes, not one refused call)? */
  waits: boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const KINDS: Record<AlertKind, KindText> = {
  credit_attention: {
    title: (n) => `${plural(n, "credit", "credits")} to Navixy failed or ${n === 1 ? "has" : "have"} an unknown outcome after retries`,
    action:
      "The payers paid but their Navixy balance was not credited (or it is not known whether it was). Fix the cause the movement shows (a user deleted, a permission, a Navixy outage), then retry it: it is looked up in Navixy first, so it is never credited twice.",
    command: "npm run payments -- {dealer}attention   (then: npm run payments -- {dealer}retry <movementId>)",
    consolePath: "/admin/attention",
    waits: false,
  },
  debit_attention: {
    title: (n) => `${plural(n, "refund", "refunds")} could not be debited from the Navixy balance`,
    action:
      "Stripe refunded the payer but the Navixy balance keeps the money: Navixy refused the debit (often a balance too low) or its outcome is unknown. Retry when the balance allows, or settle it by hand with a comment.",
    command: "npm run payments -- {dealer}retry <movementId>   or   npm run payments -- {dealer}resolve <movementId> applied|canceled <comment>",
    consolePath: "/admin/attention",
    waits: false,
  },
  refund_failed: {
    title: (n) => `${plural(n, "refund", "refunds")} failed at Stripe after ${n === 1 ? "it was" : "they were"} recorded`,
    action:
      "Stripe could not return the money (a closed card) and kept it; the Navixy balance was given back. Refund the payer another way or settle with them, then mark it handled.",
    command: "npm run payments -- {dealer}resolve <movementId> applied|canceled <what was done>",
    consolePath: "/admin/attention",
    waits: false,
  },
  credits_waiting: {
    title: (n) => `${plural(n, "credit", "credits")} waiting for Navixy longer than expected`,
    action:
      "Paid credits are owed to Navixy and not applied yet. They are retried automatically; check that the dealer's Navixy answers (the console's overview says whether the dealer is backed off).",
    command: "npm run payments -- {dealer}attention",
    consolePath: "/admin",
    waits: false,
  },
  navixy_login: {
    title: () => "Navixy refuses the gateway's login",
    action:
      "Navixy answered the Admin Panel login with an error: nothing can be credited. Check NAVIXY_PANEL_LOGIN and NAVIXY_PANEL_PASSWORD (for a hosted dealer: npm run dealers -- set <slug> --set NAVIXY_PANEL_PASSWORD=-) and that the panel user is not blocked.",
    command: "npm run dealers -- check <slug>   (the environment's dealer: the console's Setup page)",
    consolePath: "/admin/setup",
    waits: true,
  },
  navixy_permission: {
    title: (_n, method) => `Navixy refuses ${method || "a method"}: a permission is missing`,
    action:
      "The Admin Panel user lacks a permission the gateway needs (users:read, users:update, transactions:create, transactions:read). Grant it in the Navixy Admin Panel; credits that failed meanwhile are retried with npm run payments -- retry.",
    command: "npm run payments -- {dealer}attention",
    consolePath: "/admin/setup",
    waits: true,
  },
  stripe_key: {
    title: () => "Stripe refuses the dealer's secret key",
    action:
      "Stripe answered 401/403 to the secret key: payments cannot be created or read. Put a valid key into STRIPE_SECRET_KEY (a hosted dealer: npm run dealers -- set <slug> --set STRIPE_SECRET_KEY=-); a refused key also takes a hosted dealer out of service at its next check.",
    command: "npm run dealers -- check <slug>   (the environment's dealer: the console's Setup page)",
    consolePath: "/admin/setup",
    waits: true,
  },
  no_webhooks: {
    title: (n) => `No Stripe webhook received while ${plural(n, "payment", "payments")} moved on at Stripe`,
    action:
      "Payments were paid or failed at Stripe, but no webhook reached the gateway: the endpoint is disabled, deleted or registered with a wrong address or signing secret. The sweep still credits them minutes late. Check the endpoint in the Stripe Dashboard (Developers → Webhooks) against the console's Setup page; then recover missed events.",
    command: "npm run payments -- {dealer}resync --since 3d",
    consolePath: "/admin/setup",
    waits: false,
  },
  dealer_backed_off: {
    title: () => "Crediting is paused: the dealer's Navixy or Stripe keeps failing",
    action:
      "The worker backed this dealer off after repeated failures (connection refused, timeouts, a refused login). Nothing is lost: owed credits wait and are sent, once each, when it answers. Check the dealer's Navixy API address and credentials, and Navixy's status.",
    command: "npm run payments -- {dealer}attention",
    consolePath: "/admin",
    waits: true,
  },
  authorization_expiring: {
    title: (n) => `${plural(n, "authorization expires", "authorizations expire")} within a day`,
    action: "Stripe voids an authorization 7 days after it was made, and the money is never taken. Capture it (all or part) or release it.",
    command: "npm run payments -- {dealer}capture <paymentId> [amount]   or   npm run payments -- {dealer}cancel <paymentId>",
    consolePath: "/admin/attention",
    waits: false,
  },
  reconciliation_difference: {
    title: (n, day) => `${day || "A day"}: ${plural(n, "difference", "differences")} between Stripe, the ledger and Navixy`,
    action:
      "The day's reconciliation found money that Stripe, the ledger and the payers' Navixy balances do not agree on: a payment taken outside the gateway, a credit or debit missing in Navixy, a change made by hand, a refund not debited. Each difference on the console's Reconciliation page says what to do; once fixed, reconcile the day again and the alert resolves when it is balanced.",
    command: "npm run payments -- {dealer}reconcile --date <day>   (once fixed, again with --again)",
    consolePath: "/admin/reconciliation",
    waits: false,
  },
};

export function isAlertKind(kind: string): kind is AlertKind {
  return (ALERT_KINDS as readonly string[]).includes(kind);
}

/**
 * The command with the dealer filled in (`--dealer acme ` for a hosted dealer, nothing for the environment's) and,
 * when the incident's subject is a day (a reconciled day), that day.
 */
export function commandFor(kind: AlertKind, dealer: { slug: string; isDefault: boolean }, subject = ""): string {
  const command = KINDS[kind].command.replaceAll("{dealer}", dealer.isDefault ? "" : `--dealer ${dealer.slug} `).replaceAll("<slug>", dealer.slug);
  return /^\d{4}-\d{2}-\d{2}$/.test(subject) ? command.replaceAll("<day>", subject) : command;
}
