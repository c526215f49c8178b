// The console of a deployment with two dealers: the operator (ADMIN_PASSWORD) and a hosted dealer's own login.
// A dealer's login sees and touches only its own dealer's rows — every screen's query, the CSV export, the
// actions — and none of the operator's; the operator switches between dealers; suspending a dealer or changing
// its password ends its sessions; the payments CLI of one dealer does not reach the other's rows; the audit log
// records who did what for which dealer.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import type { NavixyEmulator } from "../../dev/emulators/navixy/server";
import type { StripeEmulator } from "../../dev/emulators/stripe/server";
import { ADMIN_PASSWORD, pendingFlash, seedRow } from "../../dev/testing/admin-support";
import { HOSTED_OPERATOR as OPERATOR, addHostedDealer, type HostedDealer } from "../../dev/testing/hosted-dealer";
import { POST as loginRoute } from "../../app/admin/session/route";
import { POST as actionRoute } from "../../app/admin/actions/[action]/route";
import { GET as exportRoute } from "../../app/admin/export/route";
import { SESSION_COOKIE, sessionFromCookie, type AdminSessionInfo } from "./auth";
import { setDealerConsolePassword } from "./dealer-console";
import { overview } from "./overview";
import { attentionView } from "./attention";
import { listPayments } from "./payments-query";
import { paymentDetail } from "./detail";
import { listAuditLog } from "./audit-query";
import { autoTopUpRulesView } from "./autotopup";
import { servicesForDealer, type Services } from "../server/services";
import { newId } from "../ids";

const skip = databaseUnavailable();
const run = promisify(execFile);

const SECRETS_KEY = `k1:${Buffer.alloc(32, 9).toString("base64")}`;
const B_KEYS = { secret: "sk_test_console_b", publishable: "pk_test_console_b", webhookSecret: "whsec_console_b_secret" };
const B_PASSWORD = "dealer b's own console password";

interface Seeded {
  paymentIds: string[];
  movementId: string;
  ruleId: string;
}

/** Payments, a failed credit that needs a person and an automatic top-up rule, written through the dealer's own scoped services. */
async function seed(services: Services, userId: number, tag: string): Promise<Seeded> {
  const base = new Date();
  const rows = [0, 1, 2].map((i) => seedRow(i * 5, base, { navixyUserId: userId, status: "succeeded", amountReceived: 1000 + i, amount: 1000 + i, stripePaymentIntentId: `pi_${tag}${i}` }));
  for (const r of rows) await services.db.payment.create({ data: { ...r, updatedAt: r.createdAt } });
  const movementId = newId("mv");
  await services.db.balanceMovement.create({
    data: {
      id: movementId,
      paymentId: rows[0]!.id,
      kind: "credit",
      navixyUserId: userId,
      amount: rows[0]!.amount,
      currency: "eur",
      navixyAmount: "10.00",
      reference: `pi_${tag}0`,
      text: `Payment pi_${tag}0`,
      idempotencyKey: `credit:${rows[0]!.id}`,
      state: "failed",
      needsAttention: true,
      lastError: `${tag}: Navixy refused`,
    },
  });
  const ruleId = newId("atr");
  await services.db.autoTopUpRule.create({
    data: {
      id: ruleId,
      navixyUserId: userId,
      stripeCustomerId: `cus_${tag}`,
      stripePaymentMethodId: `pm_${tag}`,
      currency: "eur",
      amount: 2000,
      threshold: 500,
      monthlyLimit: 10000,
      mandateText: "mandate",
      state: "active",
      nextCheckAt: new Date(Date.now() + 86_400_000),
    },
  });
  return { paymentIds: rows.map((r) => r.id), movementId, ruleId };
}

describe.skipIf(skip)("the console of two dealers", () => {
  let gw: Gateway;
  let navixyB: NavixyEmulator;
  let stripeB: StripeEmulator;
  let b: Services;
  let atA: Seeded;
  let atB: Seeded;
  let origin: string;
  let ip = 1;

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD, SECRETS_KEY, RATE_LIMIT_ADMIN_LOGIN: "100/15m" } });
    origin = new URL(gw.url).origin;
    let report: HostedDealer["report"];
    ({ navixy: navixyB, stripe: stripeB, report } = await addHostedDealer(B_KEYS));
    expect(report.dealer.status).toBe("active");
    await setDealerConsolePassword(OPERATOR, "dealer-b", B_PASSWORD);
    b = (await servicesForDealer(report.dealer.id))!;
    atA = await seed(gw.services, 10002, "deala");
    atB = await seed(b, 20001, "dealb");
  }, 60_000);

  afterAll(async () => {
    await stripeB?.close();
    await navixyB?.close();
    await gw?.close();
  });

  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    new Request(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin, [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": `198.51.100.${ip}`, ...headers },
      body: new URLSearchParams(fields),
    });

  /** Signs in through the login route, as the form does; the cookie header and the session. */
  async function signIn(password: string, dealer = ""): Promise<{ cookie: string; session: AdminSessionInfo }> {
    const res = await loginRoute(post("/admin/session", { password, dealer }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const value = res.headers.get("set-cookie")!.split(";")[0]!.slice(SESSION_COOKIE.length + 1);
    const session = await sessionFromCookie(gw.services, value);
    expect(session).not.toBeNull();
    return { cookie: `${SESSION_COOKIE}=${value}`, session: session! };
  }

  const action = (name: string, cookie: string, fields: Record<string, string>) =>
    actionRoute(post(`/admin/actions/${name}`, fields, { cookie }), { params: Promise.resolve({ action: name }) });

  async function exportedIds(cookie: string): Promise<string[]> {
    const res = await exportRoute(new Request(`${gw.url}/admin/export`, { headers: { cookie } }));
    expect(res.status).toBe(200);
    const csv = await res.text();
    return [...csv.matchAll(/pay_[A-Za-z0-9]+/g)].map((m) => m[0]);
  }

  /** The services a console page uses for this session (lib/admin/page-session.ts). */
  const screenServices = async (session: AdminSessionInfo) => (await servicesForDealer(session.dealerId))!;

  test("a dealer signs in with its slug and its own password; a wrong one, another dealer's slug or an unknown one is refused alike", async () => {
    ip++;
    const wrong = await loginRoute(post("/admin/session", { password: "not b's password", dealer: "dealer-b" }));
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe("/admin/login?error=password&dealer=dealer-b");
    const unknown = await loginRoute(post("/admin/session", { password: B_PASSWORD, dealer: "no-such-dealer" }));
    expect(unknown.headers.get("location")).toBe("/admin/login?error=password&dealer=no-such-dealer");
    // The operator's password is not a dealer's, and a dealer's password is not the operator's.
    expect((await loginRoute(post("/admin/session", { password: ADMIN_PASSWORD, dealer: "dealer-b" }))).headers.get("location")).toMatch(/error=password/);
    expect((await loginRoute(post("/admin/session", { password: B_PASSWORD }))).headers.get("location")).toMatch(/error=password/);
    expect(await gw.services.rootDb.adminSession.count()).toBe(0);

    const { session } = await signIn(B_PASSWORD, "dealer-b");
    expect(session).toMatchObject({ role: "dealer", dealerId: b.dealer.id });
    expect(session.actor).toMatch(/^dealer:dealer-b:[\w-]{8}$/);
    const operator = await signIn(ADMIN_PASSWORD);
    expect(operator.session).toMatchObject({ role: "operator", dealerId: "default" });
    expect(operator.session.actor).toMatch(/^operator:[\w-]{8}$/);
  });

  test("every screen of a dealer's login shows its own rows only", async () => {
    ip++;
    const { session } = await signIn(B_PASSWORD, "dealer-b");
    const services = await screenServices(session);

    const payments = await listPayments(services, {}, { limit: 100 });
    expect(payments.rows.map((p) => p.id).sort()).toEqual([...atB.paymentIds].sort());
    for (const id of atA.paymentIds) expect(await paymentDetail(services, id)).toBeNull();
    expect((await paymentDetail(services, atB.paymentIds[0]!))?.movements.map((m) => m.id)).toEqual([atB.movementId]);

    const attention = await attentionView(services);
    expect(JSON.stringify(attention)).toContain(atB.movementId);
    expect(JSON.stringify(attention)).not.toContain(atA.movementId);

    const totals = (await overview(services)).ranges.flatMap((r) => r.totals);
    expect(totals.length).toBeGreaterThan(0);
    expect(Math.max(...totals.map((t) => t.payments))).toBe(3);

    const rules = await autoTopUpRulesView(services, {});
    expect(JSON.stringify(rules)).toContain(atB.ruleId);
    expect(JSON.stringify(rules)).not.toContain(atA.ruleId);

    // The audit log: the dealer's sign-ins and what was done to it (added, its login set), never the
    // deployment's own entries (the operator's sign-ins are there) or another dealer's.
    const audit = await listAuditLog(services, {}, { cursor: null, limit: 200 });
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(["login", "dealer.add", "console.dealer_password"]));
    expect(audit.rows.filter((r) => r.action === "login").every((r) => r.actor.startsWith("dealer:dealer-b:"))).toBe(true);
    const own = await gw.services.db.auditLog.count({ where: { action: "login", actor: { startsWith: "operator:" } } });
    expect(own).toBeGreaterThan(0);
  });

  test("a dealer's CSV export holds its own payments; the operator's holds the dealer it works on", async () => {
    ip++;
    const dealer = await signIn(B_PASSWORD, "dealer-b");
    expect((await exportedIds(dealer.cookie)).sort()).toEqual([...atB.paymentIds].sort());
    const operator = await signIn(ADMIN_PASSWORD);
    expect((await exportedIds(operator.cookie)).sort()).toEqual([...atA.paymentIds].sort());
    // The exports are audited under the dealer they exported.
    const exportsAtB = await b.db.auditLog.findMany({ where: { action: "payments.export" } });
    expect(exportsAtB.map((r) => r.actor)).toEqual([dealer.session.actor]);
  });

  test("a dealer's actions cannot reach the other dealer's rows, nor the operator's actions", async () => {
    ip++;
    const { cookie, session } = await signIn(B_PASSWORD, "dealer-b");
    const retry = await action("retry", cookie, { csrf: session.csrfToken, movementId: atA.movementId, back: "/admin/attention" });
    expect(retry.status).toBe(303);
    expect(await pendingFlash(gw, session.id)).toMatchObject({ kind: "error", message: `No movement ${atA.movementId}.` });
    const pause = await action("rule-pause", cookie, { csrf: session.csrfToken, ruleId: atA.ruleId, back: "/admin/autotopup" });
    expect(pause.status).toBe(303);
    expect((await pendingFlash(gw, session.id))?.kind).toBe("error");
    // A's rows are as they were.
    expect((await gw.services.db.balanceMovement.findUniqueOrThrow({ where: { id: atA.movementId } })).state).toBe("failed");
    expect((await gw.services.db.autoTopUpRule.findUniqueOrThrow({ where: { id: atA.ruleId } })).state).toBe("active");

    for (const [name, fields] of [
      ["switch-dealer", { dealer: "default" }],
      ["dealer-suspend", { slug: "dealer-b", confirm: "yes" }],
      ["dealer-console-password", { slug: "dealer-b", password: "x".repeat(20), repeat: "x".repeat(20) }],
      ["dealer-add", { slug: "sneaky", name: "Sneaky" }],
    ] as const) {
      const res = await action(name, cookie, { csrf: session.csrfToken, back: "/admin", ...fields });
      expect(res.status, name).toBe(403);
    }
    expect((await gw.services.rootDb.adminSession.findUniqueOrThrow({ where: { id: session.id } })).dealerId).toBe(b.dealer.id);
    expect(await gw.services.rootDb.dealer.count()).toBe(1);
  });

  test("the operator switches to a dealer: screens, export and actions are that dealer's, audited under it", async () => {
    ip++;
    const { cookie, session } = await signIn(ADMIN_PASSWORD);
    const switched = await action("switch-dealer", cookie, { csrf: session.csrfToken, dealer: "dealer-b", back: "/admin" });
    expect(switched.status).toBe(303);
    const now = (await sessionFromCookie(gw.services, cookie.slice(SESSION_COOKIE.length + 1)))!;
    expect(now).toMatchObject({ role: "operator", dealerId: b.dealer.id });
    expect((await exportedIds(cookie)).sort()).toEqual([...atB.paymentIds].sort());
    expect((await listPayments(await screenServices(now), {}, { limit: 100 })).rows.map((p) => p.id).sort()).toEqual([...atB.paymentIds].sort());

    const pause = await action("rule-pause", cookie, { csrf: session.csrfToken, ruleId: atB.ruleId, back: "/admin/autotopup" });
    expect(pause.status).toBe(303);
    expect((await b.db.autoTopUpRule.findUniqueOrThrow({ where: { id: atB.ruleId } })).state).toBe("paused");
    const entries = await b.db.auditLog.findMany({ where: { actor: session.actor }, orderBy: { id: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["console.switch_dealer", "payments.export", "rule.pause"]);
    // Nothing of this is in the environment's own dealer's log but the operator's sign-in.
    expect((await gw.services.db.auditLog.findMany({ where: { actor: session.actor } })).map((e) => e.action)).toEqual(["login"]);
    // An unknown dealer is refused with a message, and the session stays where it was.
    const unknown = await action("switch-dealer", cookie, { csrf: session.csrfToken, dealer: "no-such-dealer", back: "/admin" });
    expect((await pendingFlash(gw, session.id))?.message).toBe(
      'There is no dealer "no-such-dealer".',
    );
    expect((await gw.services.rootDb.adminSession.findUniqueOrThrow({ where: { id: session.id } })).dealerId).toBe(b.dealer.id);
  });

  test("the payments CLI of one dealer does not reach the other's payments", async () => {
    const cli = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", "lib/ops/payments-cli.ts", ...args], { env: process.env, cwd: process.cwd() }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const own = await cli(["--dealer", "dealer-b", "show", atB.paymentIds[0]!]);
    expect(own.code, own.out).toBe(0);
    expect(own.out).toContain(atB.paymentIds[0]!);
    const other = await cli(["--dealer", "dealer-b", "show", atA.paymentIds[0]!]);
    expect(other.code).not.toBe(0);
    expect(other.out).not.toContain("pi_deala0");
    const fromDefault = await cli(["show", atB.paymentIds[0]!]);
    expect(fromDefault.code).not.toBe(0);
    const attention = await cli(["--dealer", "dealer-b", "attention"]);
    expect(attention.out).toContain(atB.movementId);
    expect(attention.out).not.toContain(atA.movementId);
  }, 60_000);

  test("a new password or a suspension ends the dealer's sessions; the operator's stay", async () => {
    ip++;
    const dealer = await signIn(B_PASSWORD, "dealer-b");
    const operator = await signIn(ADMIN_PASSWORD);
    const value = (c: string) => c.slice(SESSION_COOKIE.length + 1);

    await setDealerConsolePassword(OPERATOR, "dealer-b", "a newer console password");
    expect(await sessionFromCookie(gw.services, value(dealer.cookie))).toBeNull();
    expect((await exportRoute(new Request(`${gw.url}/admin/export`, { headers: { cookie: dealer.cookie } }))).status).toBe(401);
    const again = await signIn("a newer console password", "dealer-b");

    const suspend = await action("dealer-suspend", operator.cookie, { csrf: operator.session.csrfToken, slug: "dealer-b", confirm: "yes", back: "/admin/dealers" });
    expect(suspend.status).toBe(303);
    expect(await sessionFromCookie(gw.services, value(again.cookie))).toBeNull();
    const refused = await loginRoute(post("/admin/session", { password: "a newer console password", dealer: "dealer-b" }));
    expect(refused.headers.get("location")).toMatch(/error=password/);
    expect(await sessionFromCookie(gw.services, value(operator.cookie))).not.toBeNull();
    const audited = await gw.services.rootDb.auditLog.findMany({ where: { dealerId: b.dealer.id, action: { in: ["console.dealer_password", "dealer.suspend"] } } });
    expect(audited.map((r) => [r.action, r.actor])).toEqual([
      ["console.dealer_password", "test-operator"],
      ["console.dealer_password", "test-operator"],
      ["dealer.suspend", operator.session.actor],
    ]);
  });
});
