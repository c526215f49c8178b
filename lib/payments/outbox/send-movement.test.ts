import { describe, expect, test } from "vitest";
import { NavixyPanelClient } from "../../navixy";
import { legacyInFlightMs, mayLandUntil, moneyCallWindow } from "./send-movement";

const T = 15_000;
const start = new Date("2026-12-01T10:00:00.000Z");
const at = (ms: number) => new Date(start.getTime() + ms);

describe("the in-flight window of a money call", () => {
  test("the client gives up by one timeout after the call began; Navixy may apply it until one more timeout after that", () => {
    expect(moneyCallWindow(start, T)).toEqual({ deadline: at(T), inFlightUntil: at(2 * T) });
  });

  test("a call left in flight may land until the bound recorded when it began", () => {
    expect(mayLandUntil({ outcome: "in_flight", startedAt: start, durationMs: 0, inFlightUntil: at(2 * T) }, T)).toEqual(at(2 * T));
    // Recorded under another timeout (the worker that began it had other settings): its own bound holds.
    expect(mayLandUntil({ outcome: "in_flight", startedAt: start, durationMs: 0, inFlightUntil: at(60_000) }, T)).toEqual(at(60_000));
  });

  test("a call left in flight before the bound was recorded: the old client's worst case, four requests of a timeout each, then the grace", () => {
    expect(legacyInFlightMs(T)).toBe(5 * T);
    expect(mayLandUntil({ outcome: "in_flight", startedAt: start, durationMs: 0, inFlightUntil: null }, T)).toEqual(at(5 * T));
  });

  test("a call that ended without an answer may land until one timeout after it ended", () => {
    expect(mayLandUntil({ outcome: "unknown", startedAt: start, durationMs: 900, inFlightUntil: at(900 + T) }, T)).toEqual(at(900 + T));
    expect(mayLandUntil({ outcome: "unknown", startedAt: start, durationMs: 900, inFlightUntil: null }, T)).toEqual(at(900 + T));
  });

  test("a call whose outcome is certain lands no more", () => {
    for (const outcome of ["applied", "refused", "error"]) {
      expect(mayLandUntil({ outcome, startedAt: start, durationMs: 10, inFlightUntil: at(2 * T) }, T)).toBeNull();
    }
  });

  test("the worst the client does within one money call (refused for its session, a new login, the call sent again hanging) ends by the deadline", async () => {
    const timeoutMs = 300;
    const answers: (Response | "hang")[] = [
      new Response(JSON.stringify({ success: false, status: { code: 4, description: "session expired" } })),
      new Response(JSON.stringify({ success: true, hash: "new-session-hash" })),
      "hang",
    ];
    const sent: string[] = [];
    const client = new NavixyPanelClient({
      apiUrl: "https://navixy.test/v2",
      login: "dealer",
      password: "pw-secret",
      timeoutMs,
      fetch: ((url: string, init?: RequestInit) => {
        sent.push(String(url).split("/v2/")[1]!);
        if (String(url).endsWith("/panel/account/auth") && sent.length === 1) return Promise.resolve(new Response(JSON.stringify({ success: true, hash: "first-hash" })));
        const answer = answers.shift()!;
        return new Promise<Response>((resolve, reject) => {
          // Each answer takes a third of a timeout: without one deadline the call sent again would get a whole one.
          const timer = answer === "hang" ? undefined : setTimeout(() => resolve(answer), timeoutMs / 3);
          init?.signal?.addEventListener("abort", () => (clearTimeout(timer), reject(Object.assign(new Error("aborted"), { name: "AbortError" }))));
        });
      }) as typeof fetch,
    });
    await client.signIn();
    const startedAt = new Date();
    const window = moneyCallWindow(startedAt, timeoutMs);
    const error = await client.changeBalance({ userId: 7, amount: "5.00", text: "Stripe top-up pi_W1" }, { deadline: window.deadline }).catch((e: unknown) => e);
    const endedAt = Date.now();
    expect(sent).toEqual(["panel/account/auth", "panel/user/transaction/change_balance", "panel/account/auth", "panel/user/transaction/change_balance"]);
    // The call sent again may have been applied: given up on at the deadline, within the recorded window.
    expect(error).toMatchObject({ name: "NavixyTransportError", phase: "timeout", maybeApplied: true });
    expect(endedAt).toBeLessThanOrEqual(window.deadline.getTime() + 50);
    expect(endedAt).toBeLessThan(window.inFlightUntil.getTime());
  });
});
