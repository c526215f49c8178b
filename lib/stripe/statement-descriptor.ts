// The statement descriptor suffix (STRIPE_STATEMENT_DESCRIPTOR_SUFFIX): what a card statement shows after the
// account's prefix, "PREFIX* SUFFIX". Stripe's rules for the whole descriptor: 5 to 22 characters, Latin
// characters only, at least one letter in the prefix and in the suffix, none of < > \ ' " *. The prefix is the
// account's (2 to 10 characters, set in the Stripe dashboard); "* " joins them, so a suffix has at most
// 22 - 2 - 2 = 18 characters, and fewer with a longer prefix (the console's Setup page checks the real one).

/** The longest descriptor a statement shows. */
export const STATEMENT_DESCRIPTOR_MAX = 22;
/** The shortest prefix Stripe allows: the bound for a suffix when the prefix is not known. */
export const STATEMENT_DESCRIPTOR_PREFIX_MIN = 2;
/** "PREFIX* SUFFIX": what joins the two parts. */
export const STATEMENT_DESCRIPTOR_JOINER = "* ";
export const STATEMENT_DESCRIPTOR_SUFFIX_MAX = STATEMENT_DESCRIPTOR_MAX - STATEMENT_DESCRIPTOR_JOINER.length - STATEMENT_DESCRIPTOR_PREFIX_MIN;

const FORBIDDEN = /[<>\\'"*]/;
// Printable ASCII: "Latin characters" as card networks carry them (Stripe refuses other scripts and accents).
const LATIN = /^[\x20-\x7e]+$/;

/** Why `suffix` cannot be a statement descriptor suffix, or null when it can. */
export function statementDescriptorSuffixProblem(suffix: string): string | null {
  if (suffix.trim() !== suffix || suffix.length === 0) return "must not be empty or start or end with a space";
  if (!LATIN.test(suffix)) return "may contain only Latin letters, digits, spaces and punctuation (no accents or other scripts)";
  if (FORBIDDEN.test(suffix)) return "must not contain any of < > \\ ' \" *";
  if (!/[A-Za-z]/.test(suffix)) return "must contain at least one letter";
  if (suffix.length > STATEMENT_DESCRIPTOR_SUFFIX_MAX) {
    return `must be at most ${STATEMENT_DESCRIPTOR_SUFFIX_MAX} characters (the statement shows at most ${STATEMENT_DESCRIPTOR_MAX}, including the account's prefix and "${STATEMENT_DESCRIPTOR_JOINER}")`;
  }
  return null;
}

/** The descriptor a card statement shows for `prefix` and `suffix`, as Stripe writes it (upper case). */
export function fullStatementDescriptor(prefix: string, suffix: string): string {
  return `${prefix}${STATEMENT_DESCRIPTOR_JOINER}${suffix}`.toUpperCase();
}
