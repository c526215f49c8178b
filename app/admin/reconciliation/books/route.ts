// GET /admin/reconciliation/books?day=YYYY-MM-DD or ?month=YYYY-MM: the books for the accountant, as CSV.
import { exportBooks } from "@/lib/admin/reconciliation";
import { csvAttachment, withAdmin } from "@/lib/admin/http";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return withAdmin(getServices(), request, async ({ services, who }) => {
    const q = new URL(request.url).searchParams;
    const exported = await exportBooks(services, who, { day: q.get("day") ?? undefined, month: q.get("month") ?? undefined });
    if (exported.kind === "refused") return new Response(`Bad period: ${exported.problem}`, { status: 400 });
    if (exported.kind === "unavailable") return new Response(exported.problem, { status: 503 });
    return csvAttachment(exported.body, exported.filename);
  });
}
