// Sandbox mode only: the sandbox Stripe.js (lib/sandbox/assets/sandbox-stripe.js), which the root layout loads
// before the app's scripts so @stripe/stripe-js finds window.Stripe and never calls js.stripe.com. Read at
// request time from the project folder (`next start` runs there), so it is never part of any bundle.
import fs from "node:fs/promises";
import path from "node:path";
import { isSandboxMode } from "@/lib/sandbox/mode";

export const dynamic = "force-dynamic";

const NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });

export async function GET(): Promise<Response> {
  if (!isSandboxMode()) return NOT_FOUND();
  let source: string;
  try {
    source = await fs.readFile(path.join(process.cwd(), "lib", "sandbox", "assets", "sandbox-stripe.js"), "utf8");
  } catch (error) {
    console.error("Sandbox: lib/sandbox/assets/sandbox-stripe.js could not be read:", error instanceof Error ? error.message : error);
    return new Response("The sandbox Stripe.js could not be read on the server.", {
      status: 500,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  return new Response(source, {
    status: 200,
    headers: {
      "content-type": "application/javascript; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
