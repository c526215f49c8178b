// What the /sandbox page shows: the Navixy emulator's users with their balances and transactions (read from
// its control API, GET <origin of NAVIXY_API_URL>/_emulator/state), and the latest payments in our ledger.
// Server-only; used in sandbox mode only.
import { creditStateOf, type CreditState } from "../payments/ledger/states";
import { formatMoney, parseMajorAmount } from "../money";
import type { Services } from "../server/services";
import { PAYMENT_CREDIT } from "../payments/ledger/movement-keys";

export interface SandboxTransaction {
  id: number;
  amount: string;
  text: string;
  timestamp: string;
}

export interface SandboxUser {
  id: number;
  name: string;
  login: string | null;
  subUser: boolean;
  balance: string;
  /** Balance formatted in the dealer currency, e.g. "€12.50". */
  balanceText: string;
  /** Newest first. */
  transactions: (SandboxTransaction & { amountText: string })[];
}

export type NavixyOverview = { ok: true; currency: string; users: SandboxUser[] } | { ok: false; error: string };

export interface SandboxPayment {
  id: string;
  navixyUserId: number;
  amountText: string;
  status: string;
  creditState: CreditState;
  failureMessage: string | null;
  stripePaymentIntentId: string | null;
  createdAt: Date;
}

/** "12.50" / "-3.10" → "€12.50" / "-€3.10"; the raw text and the code when it does not parse. */
export function formatDecimal(text: string, currency: string): string {
  const negative = text.trim().startsWith("-");
  const minor = parseMajorAmount(text.trim().replace(/^[-+]/, ""), currency);
  if (minor === null) return `${text} ${currency}`;
  try {
    return formatMoney(negative ? -minor : minor, currency);
  } catch {
    return `${text} ${currency}`;
  }
}

interface RawUser {
  id?: unknown;
  firstName?: unknown;
  middleName?: unknown;
  lastName?: unknown;
  legalName?: unknown;
  login?: unknown;
  subUser?: unknown;
  balance?: unknown;
  transactions?: unknown;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The emulator's state document → the page's users. Pure. */
export function toOverview(state: unknown): NavixyOverview {
  const s = (state ?? {}) as { users?: unknown; currency?: unknown };
  if (!Array.isArray(s.users)) return { ok: false, error: "The Navixy emulator answered without a user list." };
  const currency = typeof s.currency === "string" && /^[A-Za-z]{3}$/.test(s.currency) ? s.currency.toUpperCase() : "EUR";
  const users = (s.users as RawUser[])
    .filter((u) => typeof u.id === "number")
    .map((u): SandboxUser => {
      const personal = [str(u.firstName), str(u.middleName), str(u.lastName)].filter(Boolean).join(" ");
      const name = str(u.legalName) || personal || `User ${String(u.id)}`;
      const balance = str(u.balance) || "0.00";
      const transactions = (Array.isArray(u.transactions) ? (u.transactions as Record<string, unknown>[]) : [])
        .filter((t) => typeof t["id"] === "number")
        .map((t) => ({
          id: t["id"] as number,
          amount: str(t["amount"]),
          text: str(t["text"]),
          timestamp: str(t["timestamp"]),
          amountText: formatDecimal(str(t["amount"]) || "0", currency),
        }))
        .sort((a, b) => b.id - a.id);
      return {
        id: u.id as number,
        name,
        login: str(u.login) || null,
        subUser: u.subUser === true,
        balance,
        balanceText: formatDecimal(balance, currency),
        transactions,
      };
    })
    .sort((a, b) => a.id - b.id);
  return { ok: true, currency, users };
}

/** GET <origin of NAVIXY_API_URL>/_emulator/state */
export async function loadNavixyOverview(navixyApiUrl: string, timeoutMs = 3_000): Promise<NavixyOverview> {
  let url: string;
  try {
    url = `${new URL(navixyApiUrl).origin}/_emulator/state`;
  } catch {
    return { ok: false, error: "NAVIXY_API_URL is not a URL." };
  }
  try {
    const response = await fetch(url, { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, error: `The Navixy emulator answered HTTP ${response.status} at ${url}.` };
    return toOverview(await response.json());
  } catch (error) {
    return { ok: false, error: `The Navixy emulator could not be reached at ${url} (${error instanceof Error ? error.message : String(error)}).` };
  }
}

/** The newest 20 payments in the ledger, with whether their credit reached Navixy. */
export async function loadLatestPayments(services: Pick<Services, "db">, take = 20): Promise<SandboxPayment[]> {
  const payments = await services.db.payment.findMany({
    orderBy: { createdAt: "desc" },
    take,
    include: { movements: { where: PAYMENT_CREDIT, take: 1 } },
  });
  return payments.map((p) => ({
    id: p.id,
    navixyUserId: p.navixyUserId,
    amountText: formatMoney(p.amount, p.currency),
    status: p.status,
    creditState: creditStateOf(p.movements[0] ?? null),
    failureMessage: p.failureMessage,
    stripePaymentIntentId: p.stripePaymentIntentId,
    createdAt: p.createdAt,
  }));
}
