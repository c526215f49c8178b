// Who paid, for the dealer's console: the Navixy user's name and login as Navixy had them when the payment was
// created (the checkout reads the user anyway), and the words the console finds that user by. Kept on the Payment
// and in PayerTerm, never sent to the payer's browser (the page shows a masked name only) and redacted from logs
// by field name (payerName, payerLogin: lib/logging).
import { Prisma, type Db, type Tx } from "../db/client";
import type { NavixyUser } from "../navixy";

const MAX_NAME = 200;
const MAX_LOGIN = 200;
/** A word longer than this is cut: a search for its first 40 characters still finds it. */
const MAX_TERM = 40;
const MAX_TERMS = 12;

export interface Payer {
  payerName: string | null;
  payerLogin: string | null;
}

const clean = (s: string | undefined | null): string => (typeof s === "string" ? s.replace(/[\s\u00a0]+/gu, " ").trim() : "");

/** The name a person reads: "Jane Q. Smith", or a company's legal name; null when Navixy has neither. */
export function payerOf(user: Pick<NavixyUser, "firstName" | "middleName" | "lastName" | "legalName" | "legalType" | "login">): Payer {
  const person = [user.firstName, user.middleName, user.lastName].map(clean).filter(Boolean).join(" ");
  const legal = clean(user.legalName);
  // A company's account is known by its legal name; a person's by their own, the legal name added when it differs.
  const name = user.legalType === "legal_entity" && legal ? legal : person && legal && legal !== person ? `${person} (${legal})` : person || legal;
  const login = clean(user.login);
  return { payerName: name ? name.slice(0, MAX_NAME) : null, payerLogin: login ? login.slice(0, MAX_LOGIN) : null };
}

/** Lower case, accents folded ("Müller" → "muller"), so a dealer need not type either as Navixy has it. */
export function foldForSearch(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** The words of a name or of a search: letters and digits, folded. */
export function searchWords(text: string): string[] {
  return [...new Set(foldForSearch(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
}

/** What a payer is found by: every word of the name and the whole login (so "jane.smith@" finds it by prefix). */
export function payerTerms(payer: Payer): string[] {
  const terms = new Set<string>();
  if (payer.payerLogin) terms.add(foldForSearch(payer.payerLogin).slice(0, MAX_TERM));
  for (const word of searchWords(payer.payerName ?? "")) terms.add(word.slice(0, MAX_TERM));
  return [...terms].filter(Boolean).slice(0, MAX_TERMS);
}

/**
 * Records the user's search words, once each (a word already there is left as it is). Raw SQL, so the dealer is
 * named here: a conflict-ignoring insert is the one statement both databases have for it.
 */
export async function recordPayerTerms(db: Db | Tx, dealerId: string, navixyUserId: number, payer: Payer): Promise<void> {
  const terms = payerTerms(payer);
  if (terms.length === 0) return;
  const rows = terms.map((term) => Prisma.sql`(${dealerId}, ${term}, ${navixyUserId})`);
  await db.$executeRaw`INSERT INTO "PayerTerm" ("dealerId", "term", "navixyUserId") VALUES ${Prisma.join(rows)} ON CONFLICT DO NOTHING`;
}

/** The range of terms that start with `prefix`, in code point order (the column's collation on PostgreSQL is "C"). */
export function prefixRange(prefix: string): { gte: string; lt: string } {
  return { gte: prefix, lt: `${prefix}\u{10FFFF}` };
}
