// POST /admin/actions/<action>: every console action, as a plain form post (works without JavaScript).
// Each answers 303 back to the page it came from, which shows the notice or error once; a refused form comes back
// with what was typed (secrets excepted). The actions themselves, and how each reads its form, are in
// lib/admin/form-actions.ts.
import { AdminActionError } from "@/lib/admin/actions";
import { typedForm } from "@/lib/admin/console-flash";
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
      return typeof result === "string" ? redirectWithFlash(deployment, r.session, back, { kind: "notice", message: result }) : result;
    } catch (error) {
      if (error instanceof AdminActionError) {
        return redirectWithFlash(deployment, r.session, back, { kind: "error", message: error.message, form: typedForm(action, r.form) });
      }
      console.error(`Console action ${action} failed:`, error instanceof Error ? error.message : error);
      return redirectWithFlash(deployment, r.session, back, {
        kind: "error",
        message: `The action failed: ${error instanceof Error ? error.message.slice(0, 200) : "unexpected error"}. Nothing was changed unless the page now says otherwise; you can try again.`,
        // Its outcome is not known: the same refund sent again must be the same Stripe request.
        form: typedForm(action, r.form, { keepNonce: true }),
      });
    }
  });
}
