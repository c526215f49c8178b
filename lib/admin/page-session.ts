// Server Components of the console: the signed-in session for this request and the services of the dealer it
// works on, or a redirect to the login page (a 404 when the console is switched off). Cached per request, so
// layout and page share one lookup. Sessions are the deployment's (the environment's services sign and check
// them); everything a page shows comes from the session's dealer's services, scoped to that dealer's rows.
import { cache } from "react";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getServices, servicesForDealer, type Services } from "../server/services";
import { SESSION_COOKIE, consoleEnabled, sessionFromCookie, type AdminSessionInfo } from "./auth";
import { takeConsoleFlash, typedInto, type ConsoleFlash, type TypedForm } from "./console-flash";

export interface ConsolePage {
  session: AdminSessionInfo;
  /** The session's dealer's services: its configuration, clients and its rows only. */
  services: Services;
  /** The deployment's own services: what signs the console's cookies and notices. */
  deployment: Services;
}

export const requireConsoleEnabled = cache(async (): Promise<void> => {
  if (!consoleEnabled(getServices().config)) notFound();
});

export const currentSession = cache(async (): Promise<AdminSessionInfo | null> => {
  const services = getServices();
  if (!consoleEnabled(services.config)) return null;
  const jar = await cookies();
  return sessionFromCookie(services, jar.get(SESSION_COOKIE)?.value);
});

/** The signed-in session and its dealer's services; the login page otherwise. */
export const requireAdminPage = cache(async (): Promise<ConsolePage> => {
  await requireConsoleEnabled();
  const session = await currentSession();
  if (!session) redirect("/admin/login");
  const services = await servicesForDealer(session.dealerId);
  if (!services) redirect("/admin/login");
  return { session, services, deployment: getServices() };
});

/** Operator-only pages (the dealer list): a dealer's login gets the not-found page, as for any page it cannot see. */
export async function requireOperatorPage(): Promise<ConsolePage> {
  const page = await requireAdminPage();
  if (page.session.role !== "operator") notFound();
  return page;
}

/** The outcome of the session's last form, taken by this page (once per request: the notice and its form share it). */
export const consoleFlash = cache(async (): Promise<ConsoleFlash | null> => {
  const { session } = await requireAdminPage();
  return takeConsoleFlash(getServices().rootDb, session.id, session.pendingFlash);
});

/** What was typed into `action`'s form on this page, when that form was just refused (secrets never). */
export async function typedFormOf(action: string, match: Record<string, string> = {}): Promise<TypedForm | undefined> {
  return typedInto(await consoleFlash(), action, match);
}
