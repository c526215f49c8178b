/**
 * The payment page is reached with an unauthenticated, guessable `?id={id}`: it may confirm *whose* account is
 * being topped up, but must not disclose the name. So each word shrinks to its first letter + "***".
 */
import type { NavixyUser } from "./client";

const FALLBACK = "Navixy user";
const MAX_WORDS = 4;

type NameSource = Pick<NavixyUser, "firstName" | "lastName" | "legalName" | "login">;

function maskWords(s: string): string {
  const out: string[] = [];
  for (const word of s.split(/[\s\u00a0]+/u)) {
    // First letter or digit of the word, as a whole code point (never half a surrogate pair).
    const first = /[\p{L}\p{N}]/u.exec(word)?.[0];
    if (first) out.push(`${first}***`);
    if (out.length === MAX_WORDS) break;
  }
  return out.join(" ");
}

export function maskName(user: Partial<NameSource> | null | undefined): string {
  if (!user) return FALLBACK;
  const person = [user.firstName, user.lastName].filter((x) => typeof x === "string" && x.trim()).join(" ");
  const login = typeof user.login === "string" ? (user.login.split("@")[0] ?? "") : "";
  for (const candidate of [person, user.legalName ?? "", login]) {
    const masked = maskWords(candidate);
    if (masked) return masked;
  }
  return FALLBACK;
}
