// The currency the console reads amounts typed into filters and forms in: PAYMENT_CURRENCY, else that of
// the latest payment, else EUR (only its number of decimals matters for parsing).
import type { Services } from "../server/services";

export async function amountCurrency(services: Services): Promise<string> {
  if (services.config.payments.currency) return services.config.payments.currency;
  const latest = await services.db.payment.findFirst({ orderBy: { createdAt: "desc" }, select: { currency: true } });
  return (latest?.currency ?? "eur").toUpperCase();
}
