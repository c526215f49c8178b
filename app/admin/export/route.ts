// GET /admin/export?<filters>: the filtered payments as CSV, streamed page by page.
import { paymentsCsvStream } from "@/lib/admin/csv";
import { withAdmin } from "@/lib/admin/http";
import { parseFilters } from "@/lib/admin/payments-query";
import { amountCurrency } from "@/lib/admin/currency";
import { audit } from "@/lib/admin/audit";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const services = getServices();
  return withAdmin(services, request, async ({ who }) => {
    const params = Object.fromEntries(new URL(request.url).searchParams.entries());
    const { filters, problems } = parseFilters(params, await amountCurrency(services));
    if (problems.length > 0) return new Response(`Bad filters: ${problems.join("; ")}`, { status: 400 });
    await audit(services.db, { ...who, action: "payments.export", after: { filters: params } });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    return new Response(paymentsCsvStream(services, filters), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="payments-${stamp}.csv"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
