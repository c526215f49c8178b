// The one Navixy call the checkout must make before its first byte: panel/user/read over a session that is
// obtained once per process (as the gateway's client caches its session), with the same fetch and JSON body.
const API = process.env.NAVIXY_API_URL ?? "http://127.0.0.1:0/v2";
const LOGIN = process.env.NAVIXY_PANEL_LOGIN ?? "";
const PASSWORD = process.env.NAVIXY_PANEL_PASSWORD ?? "";

const holder = globalThis as { __floorSession?: Promise<string> };

async function call(method: string, body: unknown, hash?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${API}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...(hash ? { Authorization: `NVX ${hash}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (json["success"] !== true) throw new Error(`${method} failed: ${JSON.stringify(json["status"])}`);
  return json;
}

function session(): Promise<string> {
  holder.__floorSession ??= call("panel/account/auth", { login: LOGIN, password: PASSWORD }).then((r) => String(r["hash"]));
  return holder.__floorSession;
}

export async function readUser(userId: number): Promise<{ id: number; first_name: string; last_name: string }> {
  const r = await call("panel/user/read", { user_id: userId }, await session());
  return r["value"] as { id: number; first_name: string; last_name: string };
}
