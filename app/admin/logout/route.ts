// POST /admin/logout: ends the session (revoked in the database, cookie cleared).
import { clearSessionCookie, logout } from "@/lib/admin/auth";
import { withAdmin } from "@/lib/admin/http";
import { getServices } from "@/lib/server/services";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const services = getServices();
  return withAdmin(services, request, async ({ session, ip }) => {
    await logout(services, session, ip);
    return new Response(null, {
      status: 303,
      headers: { location: "/admin/login", "set-cookie": clearSessionCookie(services.config), "cache-control": "no-store" },
    });
  });
}
