// Server Components of the console: the signed-in session for this request, or a redirect to the login
// page (a 404 when the console is switched off). Cached per request, so layout and page share one lookup.
import { cache } from "react";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getServices } from "../server/services";
import { SESSION_COOKIE, consoleEnabled, sessionFromCookie, type AdminSessionInfo } from "./auth";

export const requireConsoleEnabled = cache(async (): Promise<void> => {
  if (!consoleEnabled(getServices().config)) notFound();
});

export const currentSession = cache(async (): Promise<AdminSessionInfo | null> => {
  const services = getServices();
  if (!consoleEnabled(services.config)) return null;
  const jar = await cookies();
  return sessionFromCookie(services, jar.get(SESSION_COOKIE)?.value);
});

export async function requireAdminPage(): Promise<AdminSessionInfo> {
  await requireConsoleEnabled();
  const session = await currentSession();
  if (!session) redirect("/admin/login");
  return session;
}
