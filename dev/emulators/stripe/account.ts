/**
 * The emulated account (`GET /v1/account`) and its statement descriptors, as Stripe applies them to card charges:
 *
 * - the account has a static descriptor ("STRIPE EMULATOR") and a card prefix ("EMULATOR" by default; the
 *   `statementDescriptorPrefix` option or `POST /_emulator/account`);
 * - a PaymentIntent's `statement_descriptor_suffix` is checked with Stripe's rules for a descriptor: at most 22
 *   characters, Latin characters only (printable ASCII), at least one letter, none of < > \ ' " *;
 * - a charge's `calculated_statement_descriptor` is "PREFIX* SUFFIX" in capitals, or the static descriptor
 *   without a suffix. A card statement shows at most 22 characters: a longer combination is cut there (the
 *   gateway's setup page warns about it before it happens);
 * - `statement_descriptor` (the non-card descriptor) on a PaymentIntent that may be paid by card is refused, as
 *   Stripe refuses it for card charges ("use statement_descriptor_suffix").
 *
 * The account's id is one per secret key, as a Stripe key belongs to exactly one account: two emulators started with
 * the same key are the same account (`acct_` and 16 hex digits of the key's SHA-256), another key is another account.
 * The `accountId` option names it outright.
 */
import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import type { ParamObject } from "./form";
import { assertAllowed, expandParam } from "./params";
import type { Store } from "./store";

export interface AccountSettings {
  /** The static descriptor (non-card payments, and the prefix's fallback). */
  statementDescriptor: string;
  /** The card prefix (2–10 characters), or null: then the static descriptor cut to 10 is used. */
  statementDescriptorPrefix: string | null;
}

export const DEFAULT_ACCOUNT: AccountSettings = { statementDescriptor: "STRIPE EMULATOR", statementDescriptorPrefix: "EMULATOR" };

const settingsByStore = new WeakMap<Store, AccountSettings>();
const idByStore = new WeakMap<Store, string>();

/** The account a secret key belongs to: the same key, the same account. */
export function accountIdForKey(secretKey: string): string {
  return `acct_${createHash("sha256").update(secretKey).digest("hex").slice(0, 16)}`;
}

/** The account's id (`GET /v1/account`); configuration, kept by `reset`. */
export function accountId(store: Store): string {
  return idByStore.get(store) ?? accountIdForKey("sk_test_emulator");
}

export function setAccountId(store: Store, id: string): void {
  if (!/^acct_[A-Za-z0-9]{1,64}$/.test(id)) throw new Error(`account id ${JSON.stringify(id)}: acct_ and letters or digits`);
  idByStore.set(store, id);
}

export function accountSettings(store: Store): AccountSettings {
  return settingsByStore.get(store) ?? DEFAULT_ACCOUNT;
}

/** Account settings are configuration, not objects: `reset` keeps them. */
export function configureAccount(store: Store, patch: Partial<AccountSettings>): AccountSettings {
  const next = { ...accountSettings(store), ...patch };
  if (next.statementDescriptorPrefix !== null) {
    const p = next.statementDescriptorPrefix;
    if (p.length < 2 || p.length > 10 || descriptorProblem(p)) throw new Error(`statement descriptor prefix ${JSON.stringify(p)}: 2 to 10 Latin characters with a letter`);
  }
  settingsByStore.set(store, next);
  return next;
}

export function cardPrefix(store: Store): string {
  const s = accountSettings(store);
  return s.statementDescriptorPrefix ?? s.statementDescriptor.slice(0, 10);
}

function descriptorProblem(value: string): string | null {
  if (!/^[\x20-\x7e]*$/.test(value)) return "may only contain Latin characters";
  if (/[<>\\'"*]/.test(value)) return "must not contain any of the following special characters: < > \\ ' \" *";
  if (!/[A-Za-z]/.test(value)) return "must contain at least one letter";
  return null;
}

/** `statement_descriptor_suffix`: validated as Stripe does; "" clears it. */
export function readStatementDescriptorSuffix(params: ParamObject): string | null | undefined {
  const v = params["statement_descriptor_suffix"];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalidRequest("Invalid string", { param: "statement_descriptor_suffix" });
  if (v === "") return null;
  if (v.length > 22) {
    throw invalidRequest("The statement descriptor suffix must be at most 22 characters.", { param: "statement_descriptor_suffix", code: "parameter_invalid_string" });
  }
  const problem = descriptorProblem(v);
  if (problem) throw invalidRequest(`The statement descriptor suffix ${problem}.`, { param: "statement_descriptor_suffix", code: "parameter_invalid_string" });
  return v;
}

/** What a card charge's statement shows. */
export function calculatedStatementDescriptor(store: Store, pi: Stripe.PaymentIntent): string {
  const s = accountSettings(store);
  const full = pi.statement_descriptor_suffix ? `${cardPrefix(store)}* ${pi.statement_descriptor_suffix}` : s.statementDescriptor;
  return full.toUpperCase().slice(0, 22);
}

/** `statement_descriptor` cannot be used when the PaymentIntent may be paid by card. */
export function rejectCardStatementDescriptor(pi: Stripe.PaymentIntent): void {
  if (pi.statement_descriptor && pi.payment_method_types.includes("card")) {
    throw invalidRequest(
      "The `statement_descriptor` parameter is not supported for card payments. Use `statement_descriptor_suffix` instead: it is appended to your account's statement descriptor prefix.",
      { param: "statement_descriptor" },
    );
  }
}

/** `GET /v1/account`: the fields the gateway reads (statement descriptors), in Stripe's shape. */
export function retrieveAccount(ctx: Ctx, params: ParamObject): Stripe.Account {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const s = accountSettings(ctx.store);
  return {
    id: accountId(ctx.store),
    object: "account",
    business_type: "company",
    charges_enabled: true,
    country: "DE",
    default_currency: "eur",
    details_submitted: true,
    payouts_enabled: true,
    type: "standard",
    settings: {
      card_payments: { statement_descriptor_prefix: s.statementDescriptorPrefix, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      payments: { statement_descriptor: s.statementDescriptor, statement_descriptor_kana: null, statement_descriptor_kanji: null },
    },
  } as unknown as Stripe.Account;
}
