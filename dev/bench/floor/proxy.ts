// Turbopack looks for proxy.ts upwards from this folder and would otherwise take the gateway's own
// (../../proxy.ts). The floor has no proxy work: this one matches no route and so never runs.
import { NextResponse } from "next/server";

export function proxy(): Response {
  return NextResponse.next();
}

export const config = { matcher: "/__floor_has_no_proxy" };
