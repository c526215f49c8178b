// CSV export of the filtered payments, streamed: the stream pages through the ledger with the keyset
// cursor as the client reads, so a year of payments never sits in memory at once.
import { toMajorString } from "../money";
import type { Services } from "../server/services";
import { audit, type Actor } from "./audit";
import { amountCurrency } from "./amount-currency";
import { listPayments, parseFilters, resolveSearch, type FilterParams, type PaymentFilters, type PaymentRow } from "./payments-query";

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF or starts/ends with a space;
 * quotes doubled. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe: an export must never execute anything.
 */
export function csvField(value: string | number | null | undefined, { text = true } = {}): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: string[]): string {
  return `${fields.join(",")}\r\n`;
}

export const CSV_COLUMNS = [
  "payment_id",
  "created_at",
  "navixy_user_id",
  "status",
  "credit_state",
  "currency",
  "amount",
  "amount_received",
  "amount_credited",
  "amount_refunded",
  "stripe_payment_intent_id",
  "failure_code",
  "failure_message",
  "updated_at",
  // Added later, after the columns spreadsheets already read by position.
  "payer_name",
  "payer_login",
  "payment_method",
  "card_brand",
  "card_last4",
  "wallet",
] as const;

export function csvRow(p: PaymentRow): string {
  const money = (minor: number) => csvField(toMajorString(minor, p.currency), { text: false });
  return csvLine([
    csvField(p.id),
    csvField(p.createdAt.toISOString(), { text: false }),
    csvField(p.navixyUserId, { text: false }),
    csvField(p.status),
    csvField(p.creditState),
    csvField(p.currency.toUpperCase()),
    money(p.amount),
    money(p.amountReceived),
    money(p.creditedAmount),
    money(p.amountRefunded),
    csvField(p.stripePaymentIntentId),
    csvField(p.failureCode),
    csvField(p.failureMessage),
    csvField(p.updatedAt.toISOString(), { text: false }),
    csvField(p.payerName),
    csvField(p.payerLogin),
    csvField(p.paymentMethodType),
    csvField(p.cardBrand),
    csvField(p.cardLast4, { text: false }),
    csvField(p.cardWallet),
  ]);
}

/** The export as a byte stream: header, then one page of rows per pull. */
export function paymentsCsvStream(services: Services, filters: PaymentFilters, pageSize = 1000): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | null = null;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          // A BOM so spreadsheet programs read UTF-8 (names, messages) correctly.
          controller.enqueue(encoder.encode(`\uFEFF${csvLine([...CSV_COLUMNS])}`));
          return;
        }
        if (done) return;
        try {
          const page = await listPayments(services, filters, { cursor, limit: pageSize });
          if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map(csvRow).join("")));
          cursor = page.next;
          if (!cursor) {
            done = true;
            controller.close();
          }
        } catch (error) {
          controller.error(error);
        }
      },
    },
    { highWaterMark: 1 },
  );
}

export type PaymentsExport = { kind: "refused"; problems: string[] } | { kind: "csv"; filename: string; body: ReadableStream<Uint8Array> };

/** GET /admin/export: the filters checked, the export audited (who took which payments), then the rows. */
export async function exportPayments(services: Services, who: Actor, params: FilterParams, now = new Date()): Promise<PaymentsExport> {
  const parsed = parseFilters(params, await amountCurrency(services));
  if (parsed.problems.length > 0) return { kind: "refused", problems: parsed.problems };
  // The search's payers are looked up once, not again for every page of the stream.
  const { filters, problem } = await resolveSearch(services, parsed.filters);
  if (problem) return { kind: "refused", problems: [problem] };
  await audit(services.db, { ...who, action: "payments.export", after: { filters: params } });
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return { kind: "csv", filename: `payments-${stamp}.csv`, body: paymentsCsvStream(services, filters) };
}
