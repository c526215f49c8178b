// GET /admin/export?<filters>: the filtered payments as CSV, streamed page by page.
import { exportPayments } from "@/lib/admin/csv";
import { csvAttachment, withAdmin } from "@/lib/admin/http";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return withAdmin(getServices(), request, async ({ services, who }) => {
    const params = Object.fromEntries(new URL(request.url).searchParams.entries());
    const exported = await exportPayments(services, who, params);
    if (exported.kind === "refused") return new Response(`Bad filters: ${exported.problems.join("; ")}`, { status: 400 });
    return csvAttachment(exported.body, exported.filename);
  });
}
