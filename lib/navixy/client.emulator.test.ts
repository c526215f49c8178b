/** The client against the emulator over real HTTP on 127.0.0.1. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startNavixyEmulator, type NavixyEmulator } from "../../dev/emulators/navixy/server";
import { NavixyPanelClient, findTransactionByReference, type NavixyPanelClientOptions } from "./client";
import { NavixyApiError, NavixyTransportError } from "./errors";

let emu: NavixyEmulator;

beforeAll(async () => {
  emu = await startNavixyEmulator({
    users: [
      { id: 10001, firstName: "Jane", lastName: "Smith", balance: "12.50" },
      { id: 10002, firstName: "Oleg", lastName: "Ivanov" },
      { id: 10004, firstName: "Sub", subUser: true },
    ],
  });
});
afterEach(async () => {
  await emu.reset();
});
afterAll(async () => {
  await emu.close();
});

function client(over: Partial<NavixyPanelClientOptions> = {}): NavixyPanelClient {
  return new NavixyPanelClient({
    apiUrl: emu.apiUrl,
    login: emu.credentials.login,
    password: emu.credentials.password,
    apiHash: emu.credentials.apiHash,
    timeoutMs: 2000,
    ...over,
  });
}

const authCalls = () => emu.calls().filter((c) => c.method === "panel/account/auth").length;

async function failure(p: Promise<unknown>): Promise<NavixyApiError | NavixyTransportError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NavixyApiError || e instanceof NavixyTransportError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("reads", () => {
  it("logs in lazily once and reads users and the currency", async () => {
    const c = client({ apiUrl: `${emu.apiUrl}/` });
    expect(authCalls()).toBe(0);
    const u = await c.readUser(10001);
    expect(u).toMatchObject({ id: 10001, dealerId: 1, firstName: "Jane", lastName: "Smith", balance: "12.50", activated: true });
    expect(await c.readDealerCurrency()).toBe("EUR");
    expect(await c.readDealerInfo()).toEqual({ id: 1, title: "Navixy emulator", locale: "en_US", domain: "gps.example.com", logo: "", favicon: "" });
    expect(authCalls()).toBe(1);
  });

  it("maps 201 for sub-users and unknown users, 211 for a wide span, 7 with errors", async () => {
    const c = client();
    expect(await failure(c.readUser(10004))).toMatchObject({ code: 201, kind: "not_found" });
    expect(await failure(c.readUser(1))).toMatchObject({ code: 201, kind: "not_found" });
    const wide = await failure(
      c.listTransactions({ userId: 10001, from: new Date("2024-01-01T00:00:00Z"), to: new Date("2024-03-01T00:00:00Z") }),
    );
    expect(wide).toMatchObject({ code: 211, kind: "permanent", httpStatus: 400 });
    const bad = await failure(c.listTransactions({ userId: 10001, from: new Date(), to: new Date(), limit: 50_000 }));
    expect(bad).toMatchObject({ code: 7, errors: [{ parameter: "limit", error: "1..20000" }] });
  });
});

describe("crediting", () => {
  it("credits and debits exactly, and finds the transaction by reference", async () => {
    const c = client();
    await c.changeBalance({ userId: 10001, amount: "19.99", text: "Stripe top-up pi_A1" });
    await c.changeBalance({ userId: 10001, amount: "-0.49", text: "Refund pi_A1" });
    expect(emu.user(10001)?.balance).toBe("32.00");
    expect((await c.readUser(10001)).balance).toBe("32.00");
    const txs = await c.listTransactions({ userId: 10001, from: new Date(Date.now() - 3600e3), to: new Date(Date.now() + 60e3) });
    expect(txs).toHaveLength(2);
    expect(findTransactionByReference(txs, { reference: "pi_A1", sign: 1 })).toMatchObject({ amount: "19.99", type: "balance" });
    expect(findTransactionByReference(txs, { reference: "pi_A1", sign: -1 })).toMatchObject({ amount: "-0.49" });
  });

  it("maps 251 to insufficient_funds (HTTP 403) and applies nothing", async () => {
    const e = await failure(client().changeBalance({ userId: 10002, amount: "-0.01", text: "debit test" }));
    expect(e).toMatchObject({ code: 251, kind: "insufficient_funds", httpStatus: 403, maybeApplied: false });
    expect(emu.changeBalanceCalls()).toBe(0);
  });

  it("refills with the API hash; a wrong hash is a permanent error that does not leak it", async () => {
    await client().refillBalance({ userId: 10002, amount: "5.00", comment: "Stripe pi_R1" });
    expect(emu.user(10002)).toMatchObject({ balance: "5.00", transactions: [expect.objectContaining({ text: "Stripe pi_R1" })] });
    const e = await failure(client({ apiHash: "wrong-api-hash-value" }).refillBalance({ userId: 10002, amount: "5.00" }));
    expect(e).toMatchObject({ code: 3, kind: "permanent" });
    expect(e.message).not.toContain("wrong-api-hash-value");
    expect(emu.changeBalanceCalls()).toBe(1);
    await expect(client({ apiHash: "" }).refillBalance({ userId: 10002, amount: "5.00" })).rejects.toThrow(/apiHash/);
  });
});

describe("sessions", () => {
  it("re-logs in once on code 4 (expired) and on code 3 (wrong hash)", async () => {
    const c = client();
    await c.readUser(10001);
    emu.expireSessions();
    expect((await c.readUser(10001)).id).toBe(10001);
    expect(authCalls()).toBe(2);
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "error", code: 3 } });
    await c.changeBalance({ userId: 10001, amount: "1.00", text: "after relogin" });
    expect(authCalls()).toBe(3);
    expect(emu.changeBalanceCalls(10001)).toBe(1);
  });

  it("gives up after one retry when the session error persists", async () => {
    const c = client();
    emu.addFault({ method: "panel/user/read", always: true, action: { type: "error", code: 4 } });
    expect(await failure(c.readUser(10001))).toMatchObject({ code: 4, kind: "session" });
    expect(authCalls()).toBe(2);
    expect(emu.calls().filter((x) => x.method === "panel/user/read")).toHaveLength(2);
  });

  it("shares one login among concurrent callers, also when re-logging in", async () => {
    const c = client();
    const users = await Promise.all(Array.from({ length: 20 }, () => c.readUser(10001)));
    expect(users.every((u) => u.balance === "12.50")).toBe(true);
    expect(authCalls()).toBe(1);
    emu.expireSessions();
    await Promise.all(Array.from({ length: 20 }, () => c.readUser(10001)));
    expect(authCalls()).toBe(2);
  });

  it("reports bad credentials (102) as permanent without the password", async () => {
    const logs: string[] = [];
    const c = client({ password: "very-secret-pw", log: (m, f) => logs.push(`${m} ${JSON.stringify(f)}`) });
    const e = await failure(c.readUser(10001));
    expect(e).toMatchObject({ code: 102, kind: "permanent" });
    expect(`${e.message} ${e.stack} ${logs.join("\n")}`).not.toContain("very-secret-pw");
  });
});

describe("transport failures", () => {
  it("times out with maybeApplied=true when Navixy is slow, and the credit can be found afterwards", async () => {
    const c = client({ timeoutMs: 150 });
    await c.readUser(10001);
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "delay", ms: 400 } });
    const e = await failure(c.changeBalance({ userId: 10001, amount: "10.00", text: "Stripe top-up pi_T1" }));
    expect(e).toMatchObject({ constructor: NavixyTransportError, phase: "timeout", maybeApplied: true });
    await sleep(400);
    const txs = await c.listTransactions({ userId: 10001, from: new Date(Date.now() - 60e3), to: new Date(Date.now() + 60e3) });
    expect(findTransactionByReference(txs, { reference: "pi_T1", sign: 1 })).toBeDefined();
    expect(emu.user(10001)?.balance).toBe("22.50");
  });

  it("times out on a held request; dropped, it is not applied", async () => {
    const c = client({ timeoutMs: 100 });
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "hold" } });
    const e = await failure(c.changeBalance({ userId: 10001, amount: "10.00", text: "Stripe top-up pi_H1" }));
    expect(e).toMatchObject({ phase: "timeout", maybeApplied: true });
    expect(emu.release({ mode: "drop" })).toBe(1);
    expect(emu.changeBalanceCalls()).toBe(0);
  });

  it("connection refused is maybeApplied=false (outage and closed port)", async () => {
    const c = client();
    await c.readUser(10001);
    await emu.setOutage(true);
    const e = await failure(c.changeBalance({ userId: 10001, amount: "1.00", text: "during outage" }));
    expect(e).toMatchObject({ constructor: NavixyTransportError, phase: "connect", maybeApplied: false, causeCode: "ECONNREFUSED" });
    await emu.setOutage(false);
    await c.changeBalance({ userId: 10001, amount: "1.00", text: "after outage" });
    expect(emu.changeBalanceCalls()).toBe(1);

    const gone = await startNavixyEmulator();
    const url = gone.apiUrl;
    await gone.close();
    expect(await failure(client({ apiUrl: url }).readUser(1))).toMatchObject({ phase: "connect", maybeApplied: false });
  });

  it("a dropped connection is maybeApplied=true, whether or not it was applied", async () => {
    const c = client();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "drop_after_apply" } });
    const after = await failure(c.changeBalance({ userId: 10001, amount: "2.00", text: "Stripe top-up pi_D1" }));
    expect(after).toMatchObject({ constructor: NavixyTransportError, phase: "response", maybeApplied: true });
    expect(emu.user(10001)?.balance).toBe("14.50");

    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "drop_before_apply" } });
    const before = await failure(c.changeBalance({ userId: 10001, amount: "2.00", text: "Stripe top-up pi_D2" }));
    expect(before).toMatchObject({ phase: "response", maybeApplied: true });
    expect(emu.user(10001)?.balance).toBe("14.50");
  });

  it("an HTML 502 from a proxy is maybeApplied=true; injected codes keep their kinds", async () => {
    const c = client();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "http_status", status: 502 } });
    const e = await failure(c.changeBalance({ userId: 10001, amount: "2.00", text: "Stripe top-up pi_P1" }));
    expect(e).toMatchObject({ phase: "response", maybeApplied: true, httpStatus: 502 });
    emu.addFault({ method: "*", action: { type: "error", code: 15 } });
    expect(await failure(c.readUser(10001))).toMatchObject({ code: 15, kind: "transient", httpStatus: 429 });
    emu.addFault({ method: "*", action: { type: "error", code: 1 } });
    expect(await failure(c.readUser(10001))).toMatchObject({ code: 1, kind: "transient", maybeApplied: true });
  });
});

describe("secrets", () => {
  it("never puts the password or any hash in errors or logs", async () => {
    const logs: unknown[] = [];
    const hashes: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith("/panel/account/auth")) {
        const body = (await res.clone().json()) as { hash?: string };
        if (body.hash) hashes.push(body.hash);
      }
      return res;
    };
    const c = client({ fetch: spy, timeoutMs: 100, log: (m, f) => logs.push({ m, f }) });
    const errors: Error[] = [];
    const collect = (p: Promise<unknown>) => p.catch((e: Error) => errors.push(e));

    await c.readUser(10001);
    // A server that echoes secrets in its description gets redacted.
    emu.addFault({
      method: "panel/user/read",
      action: { type: "error", code: 1, description: `db error for ${emu.credentials.password} / ${emu.credentials.apiHash}` },
    });
    await collect(c.readUser(10001));
    emu.addFault({ method: "panel/user/read", action: { type: "error", code: 11, description: `denied ${hashes[0]}` } });
    await collect(c.readUser(10001));
    emu.addFault({ method: "balance/refill", action: { type: "delay", ms: 300 } });
    await collect(c.refillBalance({ userId: 10001, amount: "1.00" }));
    emu.addFault({ method: "balance/refill", action: { type: "drop_before_apply" } });
    await collect(c.refillBalance({ userId: 10001, amount: "1.00" }));
    await emu.setOutage(true);
    await collect(c.refillBalance({ userId: 10001, amount: "1.00" }));
    await emu.setOutage(false);

    expect(errors).toHaveLength(5);
    expect(hashes).toHaveLength(1);
    const everything = JSON.stringify(logs) + errors.map((e) => `${e.message}\n${e.stack}\n${JSON.stringify(e)}`).join("\n");
    for (const secret of [emu.credentials.password, emu.credentials.apiHash, ...hashes]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).toContain("[redacted]");
    expect(logs.length).toBeGreaterThan(5);
  });
});
