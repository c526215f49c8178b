// The outcome of a console form, shown once. A form posts to /admin/actions/<name>, which answers 303 back to the
// page it came from; the notice or error waits in the session's row (AdminSession.flash), not in the address, and
// the next console page that opens takes it (a conditional update: exactly one page shows it). So a reload, a
// bookmark or the browser's history never repeats "the balance is debited next".
//
// A refused form also keeps what was typed, so the person corrects a typo instead of typing everything again:
// every field but the form's own (CSRF token, way back) and the secrets (passwords, secret dealer settings), which
// are never stored: the page names them and asks for them again.
import type { Db } from "../db/client";
import { SECRET_VARIABLES } from "../dealers/settings";

export interface TypedForm {
  /** The action the form posted to ("refund", "dealer-add", ...): the page fills in only that form. */
  action: string;
  /** Field name → what was typed. */
  values: Record<string, string>;
  /** Secret fields that had something typed in them, by what the person reads ("NAVIXY_PANEL_PASSWORD", "the new password"). */
  withheld: string[];
}

export interface ConsoleFlash {
  kind: "notice" | "error";
  message: string;
  /** Only after a refused form. */
  form?: TypedForm;
}

/** The form's own fields: nothing the person typed. */
const FORM_FIELDS = new Set(["csrf", "back"]);
/** Console passwords, by what the person reads. */
const PASSWORD_FIELDS: Record<string, string> = { password: "the new password", repeat: "the new password" };
const MAX_VALUE = 2000;
const MAX_FLASH = 48_000;

function secretName(field: string): string | null {
  if (field in PASSWORD_FIELDS) return PASSWORD_FIELDS[field]!;
  if (field.startsWith("var:") && SECRET_VARIABLES.has(field.slice(4))) return field.slice(4);
  return null;
}

/**
 * What was typed into a refused form, secrets left out. `keepNonce`: the refund form's idempotency nonce, kept
 * when the outcome is unknown (a failure of ours, not a refusal), so that sending the same refund again is the same
 * Stripe request and can never refund twice.
 */
export function typedForm(action: string, form: FormData, options: { keepNonce?: boolean } = {}): TypedForm {
  const values: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value !== "string" || FORM_FIELDS.has(field) || field.length > 100) continue;
    if (field === "nonce" && !options.keepNonce) continue;
    const secret = secretName(field);
    if (secret) {
      if (value.trim() && !withheld.includes(secret)) withheld.push(secret);
      continue;
    }
    if (!(field in values)) values[field] = value.slice(0, MAX_VALUE);
  }
  return { action, values, withheld };
}

export function encodeFlash(flash: ConsoleFlash): string {
  const text = JSON.stringify({ ...flash, message: flash.message.slice(0, 1000) });
  // A form larger than this (it cannot be, under the 64 KB body cap and 2,000 characters a field) keeps only the message.
  return text.length <= MAX_FLASH ? text : JSON.stringify({ kind: flash.kind, message: flash.message.slice(0, 1000) });
}

export function decodeFlash(text: string | null | undefined): ConsoleFlash | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as ConsoleFlash;
    if ((v.kind !== "notice" && v.kind !== "error") || typeof v.message !== "string") return null;
    const form = v.form && typeof v.form.action === "string" && v.form.values && typeof v.form.values === "object" ? v.form : undefined;
    return { kind: v.kind, message: v.message, ...(form ? { form: { action: form.action, values: form.values, withheld: Array.isArray(form.withheld) ? form.withheld : [] } } : {}) };
  } catch {
    return null;
  }
}

/** Leaves the outcome for the session's next page (replacing one not shown yet). */
export async function setConsoleFlash(rootDb: Db, sessionId: string, flash: ConsoleFlash): Promise<void> {
  await rootDb.adminSession.updateMany({ where: { id: sessionId }, data: { flash: encodeFlash(flash) } });
}

/**
 * The outcome waiting for this session, taken: the row is cleared only if it still holds what was read, so of
 * two pages opened at once exactly one shows it. `pending` is the row's value as the session was read.
 */
export async function takeConsoleFlash(rootDb: Db, sessionId: string, pending: string | null | undefined): Promise<ConsoleFlash | null> {
  if (!pending) return null;
  const { count } = await rootDb.adminSession.updateMany({ where: { id: sessionId, flash: pending }, data: { flash: null } });
  return count === 1 ? decodeFlash(pending) : null;
}

/** What was typed into `action`'s form, if the last outcome was that form refused. */
export function typedInto(flash: ConsoleFlash | null, action: string, match: Record<string, string> = {}): TypedForm | undefined {
  const form = flash?.form;
  if (!form || form.action !== action) return undefined;
  // The form of another payment, movement or dealer than the one on this page.
  for (const [field, value] of Object.entries(match)) if (form.values[field] !== value) return undefined;
  return form;
}
