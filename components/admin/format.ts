// Display helpers shared by the console's Server Components.
export function fmtTime(d: Date | null | undefined): string {
  if (!d) return "";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export type Tone = "success" | "danger" | "warning" | "info" | "neutral";

export function statusTone(status: string): Tone {
  switch (status) {
    case "succeeded":
    case "credited":
    case "applied":
    case "processed":
      return "success";
    case "failed":
    case "needs_attention":
      return "danger";
    case "authorized":
    case "processing":
    case "pending":
    case "unknown":
    case "sending":
    case "partially_refunded":
      return "warning";
    case "refunded":
    case "awaiting_payment":
      return "info";
    default:
      return "neutral";
  }
}

export const label = (s: string) => s.replace(/_/g, " ");

/** "—" for what an older row never recorded. */
export const NONE = "—";

const BRANDS: Record<string, string> = {
  amex: "American Express",
  cartes_bancaires: "Cartes Bancaires",
  diners: "Diners Club",
  discover: "Discover",
  eftpos_au: "eftpos",
  interac: "Interac",
  jcb: "JCB",
  link: "Link",
  mastercard: "Mastercard",
  unionpay: "UnionPay",
  visa: "Visa",
  unknown: "Card",
};

const WALLETS: Record<string, string> = {
  amex_express_checkout: "Amex Express Checkout",
  apple_pay: "Apple Pay",
  google_pay: "Google Pay",
  link: "Link",
  masterpass: "Masterpass",
  samsung_pay: "Samsung Pay",
  visa_checkout: "Visa Checkout",
};

const METHODS: Record<string, string> = {
  acss_debit: "Pre-authorized debit",
  bancontact: "Bancontact",
  blik: "BLIK",
  card: "Card",
  eps: "EPS",
  ideal: "iDEAL",
  klarna: "Klarna",
  link: "Link",
  p24: "Przelewy24",
  paypal: "PayPal",
  revolut_pay: "Revolut Pay",
  sepa_debit: "SEPA Direct Debit",
  sofort: "Sofort",
  us_bank_account: "US bank account",
};

const titled = (s: string) => label(s).replace(/^./, (c) => c.toUpperCase());

/** How a payment was paid, as a person reads it: "Visa •••• 4242", "Apple Pay · Visa •••• 4242", "SEPA Direct Debit". */
export function methodText(p: { paymentMethodType: string | null; cardBrand: string | null; cardLast4: string | null; cardWallet: string | null }): string {
  if (!p.paymentMethodType && !p.cardLast4) return NONE;
  const card = p.cardBrand || p.cardLast4 ? [BRANDS[p.cardBrand ?? "unknown"] ?? titled(p.cardBrand ?? "card"), p.cardLast4 ? `•••• ${p.cardLast4}` : ""].filter(Boolean).join(" ") : "";
  const wallet = p.cardWallet ? (WALLETS[p.cardWallet] ?? titled(p.cardWallet)) : "";
  if (card) return wallet ? `${wallet} · ${card}` : card;
  return wallet || (METHODS[p.paymentMethodType ?? ""] ?? titled(p.paymentMethodType ?? ""));
}

/** Stripe's decline code (or ours) in words: "insufficient funds", "currency mismatch". */
export const declineText = (code: string | null): string | null => (code ? label(code) : null);

/** How long ago, in a word or two: "45 s", "12 min", "3 h", "2 d". */
export function ago(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return "";
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
