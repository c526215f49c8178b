import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatCents, parseCents } from "./cents";
import { startNavixyEmulator, type NavixyEmulator } from "./server";

let emu: NavixyEmulator;

const USERS = [
  { id: 1, firstName: "Jane", lastName: "Smith", balance: "12.50" },
  { id: 2, firstName: "Oleg", lastName: "Ivanov" },
  { id: 3, legalName: "Acme Logistics", balance: "100.00" },
  { id: 4, firstName: "Sub", subUser: true },
  { id: 5, firstName: "Other", dealerId: 999 },
];

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> & { status?: { code: number; description: string } };
}

async function req(path: string, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(`${emu.url}${path}`, init);
  const text = await r.text();
  let json = {} as Answer["json"];
  try {
    json = JSON.parse(text) as Answer["json"];
  } catch {
    /* non-JSON answers are checked through `text` */
  }
  return { status: r.status, text, json };
}

function api(method: string, body: unknown, hash?: string): Promise<Answer> {
  return req(`/v2/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(hash ? { Authorization: `NVX ${hash}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function login(): Promise<string> {
  const r = await api("panel/account/auth", { login: "12345", password: "demo-password" });
  expect(r.json.success).toBe(true);
  return r.json["hash"] as string;
}

function change(hash: string, userId: number, amount: number | string, text = "Top-up ref-0001") {
  return api("panel/user/transaction/change_balance", { user_id: userId, amount, type: "balance", text }, hash);
}

/** Resolves with the error a fetch fails with (socket destroyed, refused...). */
async function fetchError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return cause?.code ?? (e as Error).message;
  }
  throw new Error("expected the request to fail");
}

beforeAll(async () => {
  emu = await startNavixyEmulator({ users: USERS });
});
afterEach(async () => {
  await emu.reset();
});
afterAll(async () => {
  await emu.close();
});

describe("cents", () => {
  it("parses and formats exactly", () => {
    expect(parseCents("12.5")).toBe(1250);
    expect(parseCents(0.07)).toBe(7);
    expect(parseCents(-3.1)).toBe(-310);
    expect(parseCents("1.234")).toBeNull();
    expect(parseCents(0.1 + 0.2)).toBeNull();
    expect(parseCents("1e3")).toBeNull();
    expect(parseCents("-0")).toBe(0);
    expect(formatCents(-5)).toBe("-0.05");
    expect(formatCents(123456)).toBe("1234.56");
  });
});

describe("auth and sessions", () => {
  it("logs in, rejects bad credentials with 102, unknown hash with 3, expired with 4", async () => {
    const bad = await api("panel/account/auth", { login: "12345", password: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.json.status?.code).toBe(102);

    const hash = await login();
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.success).toBe(true);
    expect((await api("panel/user/read", { user_id: 1 }, "deadbeef")).json.status?.code).toBe(3);
    expect((await api("panel/user/read", { user_id: 1 })).json.status?.code).toBe(3);

    const r = await req("/_emulator/sessions/expire", { method: "POST" });
    expect(r.status).toBe(200);
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.status?.code).toBe(4);
  });

  it("expires sessions after sessionTtlMs", async () => {
    const short = await startNavixyEmulator({ users: USERS, sessionTtlMs: 50 });
    try {
      const a = await fetch(`${short.apiUrl}/panel/account/auth`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ login: "12345", password: "demo-password" }),
      });
      const { hash } = (await a.json()) as { hash: string };
      await new Promise((r) => setTimeout(r, 80));
      const r = await fetch(`${short.apiUrl}/panel/user/read`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `NVX ${hash}` },
        body: JSON.stringify({ user_id: 1 }),
      });
      expect(((await r.json()) as { status: { code: number } }).status.code).toBe(4);
    } finally {
      await short.close();
    }
  });

  it("accepts form-encoded bodies, query params and the hash as a parameter", async () => {
    const f = await req("/v2/panel/account/auth", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "login=12345&password=demo-password",
    });
    const hash = f.json["hash"] as string;
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    const q = await req(`/v2/panel/user/read?user_id=1&hash=${hash}`);
    expect((q.json["value"] as { id: number }).id).toBe(1);
    const form = await req("/v2/panel/user/transaction/change_balance", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ hash, user_id: "2", amount: "1.05", type: "balance", text: "form top-up" }).toString(),
    });
    expect(form.json.success).toBe(true);
    expect(emu.user(2)?.balance).toBe("1.05");
  });
});

describe("panel/user/read", () => {
  it("renders balances as exact number literals", async () => {
    const hash = await login();
    const r = await api("panel/user/read", { user_id: 1 }, hash);
    expect(r.text).toContain('"balance":12.50');
    expect(r.json["value"]).toMatchObject({ id: 1, dealer_id: 1, first_name: "Jane", last_name: "Smith", legal_type: "individual" });
    const legal = await api("panel/user/read", { user_id: 3 }, hash);
    expect(legal.json["value"]).toMatchObject({ legal_name: "Acme Logistics", legal_type: "legal_entity" });
  });

  it("answers 201 for unknown users, sub-users and other dealers' users", async () => {
    const hash = await login();
    for (const id of [404, 4, 5]) {
      const r = await api("panel/user/read", { user_id: id }, hash);
      expect(r.status).toBe(400);
      expect(r.json.status?.code).toBe(201);
    }
    expect((await change(hash, 4, 1)).json.status?.code).toBe(201);
  });
});

describe("panel/user/transaction/change_balance", () => {
  it("validates parameters with code 7 and an errors array", async () => {
    const hash = await login();
    const r = await api(
      "panel/user/transaction/change_balance",
      { user_id: 1, amount: 1.234, type: "coins", text: "abc" },
      hash,
    );
    expect(r.status).toBe(400);
    expect(r.json.status?.code).toBe(7);
    const params = (r.json["errors"] as { parameter: string }[]).map((e) => e.parameter).sort();
    expect(params).toEqual(["amount", "text", "type"]);
    expect((await change(hash, 1, 0)).json.status?.code).toBe(7);
    expect((await change(hash, 1, 1, "x".repeat(201))).json.status?.code).toBe(7);
    expect((await change(hash, 1, 1, "x".repeat(200))).json.success).toBe(true);
    expect(emu.changeBalanceCalls(1)).toBe(1);
  });

  it("rejects a debit below zero with 251 (HTTP 403) and applies nothing", async () => {
    const hash = await login();
    const r = await change(hash, 1, -12.51);
    expect(r.status).toBe(403);
    expect(r.json.status?.code).toBe(251);
    expect(emu.balanceCents(1)).toBe(1250);
    expect((await change(hash, 1, -12.5)).json.success).toBe(true);
    expect(emu.user(1)?.balance).toBe("0.00");
  });

  it("keeps balances exact to the cent under many concurrent changes", async () => {
    const hash = await login();
    const amounts: string[] = [];
    for (let i = 0; i < 300; i++) amounts.push(["0.10", "0.20", "0.07", "-0.03", "1.01"][i % 5]!);
    const results = await Promise.all(amounts.map((a, i) => change(hash, 2, Number(a), `concurrent ${i}`)));
    const ok = results.filter((r) => r.json.success === true).length;
    const rejected = results.filter((r) => r.json.status?.code === 251).length;
    expect(ok + rejected).toBe(300);
    // Sum of the applied transactions equals the balance, cent for cent.
    const txs = emu.user(2)!.transactions;
    expect(txs.length).toBe(ok);
    const sum = txs.reduce((s, t) => s + parseCents(t.amount)!, 0);
    expect(emu.balanceCents(2)).toBe(sum);
    expect(emu.changeBalanceCalls(2)).toBe(ok);
    if (rejected === 0) expect(emu.user(2)!.balance).toBe("81.00"); // 60 × (0.10+0.20+0.07-0.03+1.01)
  });
});

describe("panel/user/transaction/list", () => {
  it("lists transactions in the window with text, 7 without from/to, 211 beyond 31 days", async () => {
    const hash = await login();
    await change(hash, 1, 25, "Stripe top-up pi_123");
    const now = Date.now();
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
    const r = await api("panel/user/transaction/list", { user_id: 1, from: fmt(now - 3600e3), to: fmt(now + 60e3) }, hash);
    expect(r.json.success).toBe(true);
    expect(r.json["list"]).toEqual([
      expect.objectContaining({ type: "balance", subtype: "manual", amount: 25, description: "Stripe top-up pi_123" }),
    ]);
    expect(r.text).toContain('"amount":25.00');

    expect((await api("panel/user/transaction/list", { user_id: 1 }, hash)).json.status?.code).toBe(7);
    const wide = await api(
      "panel/user/transaction/list",
      { user_id: 1, from: "2024-01-01 00:00:00", to: "2024-02-01 00:00:01" },
      hash,
    );
    expect(wide.json.status?.code).toBe(211);
    const old = await api(
      "panel/user/transaction/list",
      { user_id: 1, from: "2024-01-01 00:00:00", to: "2024-02-01 00:00:00" },
      hash,
    );
    expect(old.json["list"]).toEqual([]);
  });
});

describe("balances with 4 decimals, as Navixy keeps them (prorated daily fees)", () => {
  const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

  it("seeds, reads, credits, debits and lists them exactly", async () => {
    emu.setUsers([{ id: 6, firstName: "Fee", lastName: "Payer", balance: "12.3456" }]);
    const hash = await login();
    const read = await api("panel/user/read", { user_id: 6 }, hash);
    expect(read.text).toContain('"balance":12.3456');
    expect((await change(hash, 6, "20.00", "Stripe top-up pi_4d")).json.success).toBe(true);
    expect(emu.user(6)?.balance).toBe("32.3456");
    expect((await api("panel/user/read", { user_id: 6 }, hash)).text).toContain('"balance":32.3456');

    // A debit that would leave it below zero, by a fraction of a cent, is refused and applies nothing.
    const over = await change(hash, 6, "-32.35", "Refund re_4d");
    expect(over.json.status?.code).toBe(251);
    expect(emu.user(6)?.balance).toBe("32.3456");
    expect((await change(hash, 6, "-32.34", "Refund re_4e")).json.success).toBe(true);
    expect(emu.user(6)?.balance).toBe("0.0056");

    const now = Date.now();
    const list = await api("panel/user/transaction/list", { user_id: 6, from: fmt(now - 3600e3), to: fmt(now + 60e3) }, hash);
    expect(list.text).toContain('"amount":20.00,"old_balance":12.3456,"new_balance":32.3456');
    expect(list.text).toContain('"amount":-32.34,"old_balance":32.3456,"new_balance":0.0056');
    expect(emu.user(6)?.transactions.map((t) => [t.amount, t.balanceAfter])).toEqual([
      ["20.00", "32.3456"],
      ["-32.34", "0.0056"],
    ]);
    // Not a whole number of cents: the cents view refuses rather than round.
    expect(() => emu.balanceCents(6)).toThrow(/0\.0056/);
  });

  it("holds negative balances with 4 decimals, and whole cents keep two decimals", async () => {
    emu.setUsers([{ id: 6, firstName: "Fee", balance: "-0.3044" }, { id: 7, firstName: "Whole", balance: "800.0000" }]);
    const hash = await login();
    expect((await api("panel/user/read", { user_id: 6 }, hash)).text).toContain('"balance":-0.3044');
    expect((await change(hash, 6, 1)).json.success).toBe(true);
    expect(emu.user(6)?.balance).toBe("0.6956");
    expect(emu.user(7)?.balance).toBe("800.00");
    expect(emu.balanceCents(7)).toBe(80000);
  });

  it("takes them through the control route, and refuses a fifth decimal", async () => {
    const up = await req("/_emulator/users", { method: "POST", body: JSON.stringify({ users: [{ id: 78, firstName: "Fee", balance: "7.0001" }] }) });
    expect(up.status).toBe(200);
    const users = (await req("/_emulator/state")).json["users"] as { id: number; balance: string }[];
    expect(users.find((u) => u.id === 78)?.balance).toBe("7.0001");
    const bad = await req("/_emulator/users", { method: "POST", body: JSON.stringify({ users: [{ id: 79, balance: "7.00001" }] }) });
    expect(bad.status).toBe(400);
    expect(() => emu.setUsers([{ id: 79, balance: "1.23456" }])).toThrow(/balance/);
    expect(emu.user(79)).toBeUndefined();
  });
});

describe("dealer settings and balance/refill", () => {
  it("reads the dealer currency", async () => {
    const hash = await login();
    const r = await api("panel/dealer/settings/service/read", {}, hash);
    expect(r.json["value"]).toMatchObject({ currency: "EUR", payment_link: expect.stringContaining("{id}") });
  });

  it("reads the dealer's profile, with its locale, at the top level of the answer", async () => {
    expect((await api("panel/dealer/get_info", {})).json.status?.code).toBe(3);
    const hash = await login();
    const r = await api("panel/dealer/get_info", {}, hash);
    expect(r.json).toMatchObject({ success: true, id: 1, locale: "en_US", title: "Navixy emulator" });
    expect(r.json["value"]).toBeUndefined();
    const other = await startNavixyEmulator({ dealerLocale: "ru_RU" });
    try {
      const otherHash = ((await (await fetch(`${other.apiUrl}/panel/account/auth`, { method: "POST", body: JSON.stringify({ login: "12345", password: "demo-password" }) })).json()) as { hash: string }).hash;
      const answer = (await (await fetch(`${other.apiUrl}/panel/dealer/get_info`, { method: "POST", headers: { Authorization: `NVX ${otherHash}` } })).json()) as { locale: string };
      expect(answer.locale).toBe("ru_RU");
    } finally {
      await other.close();
    }
  });

  it("refills with the API key hash only", async () => {
    const wrong = await req(`/v2/balance/refill?hash=nope&user_id=1&amount=5.00&comment=Stripe+pi_1`);
    expect(wrong.json.status?.code).toBe(3);
    const session = await login();
    expect((await req(`/v2/balance/refill?hash=${session}&user_id=1&amount=5.00`)).json.status?.code).toBe(3);
    expect(emu.balanceCents(1)).toBe(1250);
    const ok = await req(`/v2/balance/refill/?hash=emulator-api-hash&user_id=1&amount=5.05&comment=Stripe+pi_1`);
    expect(ok.json.success).toBe(true);
    expect(emu.user(1)).toMatchObject({ balance: "17.55", transactions: [expect.objectContaining({ text: "Stripe pi_1", subtype: "payment" })] });
    expect((await req(`/v2/balance/refill?hash=emulator-api-hash&user_id=4&amount=1`)).json.status?.code).toBe(201);
    expect((await req(`/v2/balance/refill?hash=emulator-api-hash&user_id=1&amount=-1`)).json.status?.code).toBe(7);
    expect(emu.changeBalanceCalls()).toBe(1);
    // The API key hash never shows up in the call log.
    expect(JSON.stringify(emu.calls())).not.toContain("emulator-api-hash");
  });
});

describe("fault injection", () => {
  it("error: answers the envelope with the right HTTP status, once by default", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "error", code: 15 } });
    const r = await change(hash, 1, 1);
    expect(r.status).toBe(429);
    expect(r.json.status?.code).toBe(15);
    expect(emu.changeBalanceCalls()).toBe(0);
    expect((await change(hash, 1, 1)).json.success).toBe(true);

    emu.addFault({ method: "*", times: 2, action: { type: "error", code: 13 } });
    expect((await api("panel/user/read", { user_id: 1 }, hash)).status).toBe(403);
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.status?.code).toBe(13);
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.success).toBe(true);
  });

  it("always, userId filter, errors array, and the HTTP control endpoints", async () => {
    const hash = await login();
    const r = await req("/_emulator/faults", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        rules: [
          {
            method: "panel/user/read",
            always: true,
            userId: 2,
            action: { type: "error", code: 7, errors: [{ parameter: "user_id", error: "bad" }] },
          },
        ],
      }),
    });
    expect(r.status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const x = await api("panel/user/read", { user_id: 2 }, hash);
      expect(x.json.status?.code).toBe(7);
      expect(x.json["errors"]).toEqual([{ parameter: "user_id", error: "bad" }]);
    }
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.success).toBe(true);
    const bad = await req("/_emulator/faults", { method: "POST", body: JSON.stringify({ method: "*", action: { type: "nope" } }) });
    expect(bad.status).toBe(400);
    expect((await req("/_emulator/faults", { method: "DELETE" })).status).toBe(200);
    expect((await api("panel/user/read", { user_id: 2 }, hash)).json.success).toBe(true);
    expect(() => emu.addFault({ method: "*", times: 0, action: { type: "hold" } })).toThrow();
  });

  it("delay: answers late but normally", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "delay", ms: 150 } });
    const t0 = Date.now();
    expect((await change(hash, 1, 1)).json.success).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(emu.balanceCents(1)).toBe(1350);
  });

  it("drop_before_apply: the socket dies and nothing is applied", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "drop_before_apply" } });
    expect(await fetchError(change(hash, 1, 1))).toMatch(/UND_ERR_SOCKET|ECONNRESET|other side closed/);
    expect(emu.balanceCents(1)).toBe(1250);
    expect(emu.changeBalanceCalls(1)).toBe(0);
  });

  it("drop_after_apply: the socket dies but the change is applied", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "drop_after_apply" } });
    expect(await fetchError(change(hash, 1, 1))).toMatch(/UND_ERR_SOCKET|ECONNRESET|other side closed/);
    expect(emu.balanceCents(1)).toBe(1350);
    expect(emu.changeBalanceCalls(1)).toBe(1);
    expect(emu.calls().at(-1)).toMatchObject({ applied: true, outcome: "fault drop_after_apply (ok)" });
  });

  it("http_status: an HTML proxy error, not applied unless asked", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "http_status", status: 502 } });
    const r = await change(hash, 1, 1);
    expect(r.status).toBe(502);
    expect(r.text).toContain("<html>");
    expect(emu.balanceCents(1)).toBe(1250);
    emu.addFault({ method: "panel/user/transaction/change_balance", action: { type: "http_status", status: 504, apply: true } });
    expect((await change(hash, 1, 1)).status).toBe(504);
    expect(emu.balanceCents(1)).toBe(1350);
  });

  it("hold: nothing happens until release (process or drop)", async () => {
    const hash = await login();
    emu.addFault({ method: "panel/user/transaction/change_balance", times: 2, action: { type: "hold" } });
    const p = change(hash, 1, 1);
    await waitFor(() => emu.held() === 1);
    expect(emu.balanceCents(1)).toBe(1250);
    const rel = await req("/_emulator/release", { method: "POST" });
    expect(rel.json["released"]).toBe(1);
    expect((await p).json.success).toBe(true);
    expect(emu.balanceCents(1)).toBe(1350);

    const q = change(hash, 1, 1);
    await waitFor(() => emu.held() === 1);
    expect(emu.release({ mode: "drop" })).toBe(1);
    expect(await fetchError(q)).toMatch(/UND_ERR_SOCKET|ECONNRESET|other side closed/);
    expect(emu.balanceCents(1)).toBe(1350);
  });
});

describe("outage, state, users, reset", () => {
  it("refuse mode closes the listener and reopens it on the same port", async () => {
    const hash = await login();
    await emu.setOutage(true);
    expect(await fetchError(api("panel/user/read", { user_id: 1 }, hash))).toBe("ECONNREFUSED");
    await emu.setOutage(false);
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.success).toBe(true);

    // Over HTTP, with an automatic end.
    await req("/_emulator/outage", { method: "POST", body: JSON.stringify({ down: true, durationMs: 150 }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(await fetchError(api("panel/user/read", { user_id: 1 }, hash))).toBe("ECONNREFUSED");
    await new Promise((r) => setTimeout(r, 250));
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.success).toBe(true);
  });

  it("reset mode destroys API requests but keeps the controls", async () => {
    const hash = await login();
    await req("/_emulator/outage", { method: "POST", body: JSON.stringify({ down: true, mode: "reset" }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(await fetchError(change(hash, 1, 1))).toMatch(/UND_ERR_SOCKET|ECONNRESET|other side closed/);
    expect(emu.balanceCents(1)).toBe(1250);
    await req("/_emulator/outage", { method: "POST", body: JSON.stringify({ down: false }) });
    await new Promise((r) => setTimeout(r, 20));
    expect((await change(hash, 1, 1)).json.success).toBe(true);
  });

  it("state shows users and a redacted call log; users can be upserted; reset restores the seed", async () => {
    const hash = await login();
    await change(hash, 1, 2.5);
    const up = await req("/_emulator/users", {
      method: "POST",
      body: JSON.stringify({ users: [{ id: 77, firstName: "New", balance: "3.30" }] }),
    });
    expect(up.status).toBe(200);
    const st = await req("/_emulator/state");
    const users = st.json["users"] as { id: number; balance: string }[];
    expect(users.find((u) => u.id === 1)?.balance).toBe("15.00");
    expect(users.find((u) => u.id === 77)?.balance).toBe("3.30");
    expect(st.text).not.toContain("demo-password");
    expect(st.text).not.toContain(hash);
    const calls = st.json["calls"] as { method: string; params: Record<string, unknown> }[];
    expect(calls[0]).toMatchObject({ method: "panel/account/auth", params: { login: "12345", password: "[redacted]" } });

    await emu.reset();
    expect(emu.user(77)).toBeUndefined();
    expect(emu.user(1)).toMatchObject({ balance: "12.50", transactions: [] });
    expect(emu.calls()).toEqual([]);
    expect((await api("panel/user/read", { user_id: 1 }, hash)).json.status?.code).toBe(3);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
