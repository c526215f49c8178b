// POST /admin/actions/<action>: every console action, as a plain form post (works without JavaScript).
// Each answers 303 back to the page it came from, with a notice or an error to show. The actions themselves,
// and how each reads its form, are in lib/admin/form-actions.ts.
import { AdminActionError } from "@/lib/admin/actions";
import { consoleFormAction } from "@/lib/admin/form-actions";
import { redirectWithFlash, safeBack, withAdmin } from "@/lib/admin/http";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function POST(request: Request, ctx: { params: Promise<{ action: string }> }): Promise<Response> {
  const deployment = getServices();
  const { action } = await ctx.params;
  return withAdmin(deployment, request, async (r) => {
    const perform = consoleFormAction(action);
    if (!perform) return new Response(`Unknown action ${action}`, { status: 404 });
    const back = safeBack(r.form.get("back"));
    try {
      const result = await perform(r.services, r);
      return typeof result === "string" ? redirectWithFlash(deployment, back, "notice", result) : result;
    } catch (error) {
      if (error instanceof AdminActionError) return redirectWithFlash(deployment, back, "error", error.message);
      console.error(`Console action ${action} failed:`, error instanceof Error ? error.message : error);
      return redirectWithFlash(deployment, back, "error", `The action failed: ${error instanceof Error ? error.message.slice(0, 200) : "unexpected error"}. Nothing was changed unless the page now says otherwise; you can try again.`);
    }
  });
}
