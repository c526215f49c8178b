// The console's forms forgive a typo: an amount is read as the console's English writes it, a decimal comma too;
// text with two readings is refused, not guessed; a refused form comes back with what was typed (secrets never);
// and the outcome is shown by one page only, never kept in the address where a reload would repeat it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { ADMIN_PASSWORD, pay, pendingFlash, waitForCredit } from "../../dev/testing/admin-support";
import { POST as loginRoute } from "../../app/admin/session/route";
import { POST as actionRoute } from "../../app/admin/actions/[action]/route";
import { SESSION_COOKIE, sessionFromCookie, type AdminSessionInfo } from "./auth";
import { takeConsoleFlash } from "./console-flash";

const skip = databaseUnavailable();
const USERS = [{ id: 62001, firstName: "Form", lastName: "Tester", balance: "0.00" }];
const SECRETS_KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

describe.skipIf(skip)("console forms", () => {
  let gw: Gateway;
  let origin: string;
  let cookie: string;
  let session: AdminSessionInfo;

  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { ADMIN_PASSWORD, SECRETS_KEY } });
    origin = new URL(gw.url).origin;
    const res = await loginRoute(
      new Request(`${gw.url}/admin/session`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin, [PEER_ADDRESS_HEADER]: "127.0.0.1" },
        body: new URLSearchParams({ password: ADMIN_PASSWORD }),
      }),
    );
    const value = res.headers.get("set-cookie")!.split(";")[0]!.slice(SESSION_COOKIE.length + 1);
    cookie = `${SESSION_COOKIE}=${value}`;
    session = (await sessionFromCookie(gw.services, value))!;
  });
  afterAll(async () => gw?.close());

  const action = (name: string, fields: Record<string, string>) =>
    actionRoute(
      new Request(`${gw.url}/admin/actions/${name}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin, cookie, [PEER_ADDRESS_HEADER]: "127.0.0.1" },
        body: new URLSearchParams({ csrf: session.csrfToken, ...fields }),
      }),
      { params: Promise.resolve({ action: name }) },
    );

  /** What the next console page shows, as it takes it (lib/admin/page-session.ts). */
  const openPage = async () => {
    const now = await sessionFromCookie(gw.services, cookie.slice(SESSION_COOKIE.length + 1));
    return takeConsoleFlash(gw.services.rootDb, now!.id, now!.pendingFlash);
  };

  test('a refund of "30,5" refunds 30.50; the notice is shown by one page, not kept in the address', async () => {
    const { paymentId } = await pay(gw, 62001, 5000);
    await waitForCredit(gw, paymentId, "applied");
    const back = `/admin/payments/${paymentId}`;
    const res = await action("refund", { paymentId, amount: "30,5", confirm: "yes", nonce: "decimal-comma-1", comment: "", back });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(back);
    expect((await gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).amountRefunded).toBe(3050);
    expect(await openPage()).toEqual({ kind: "notice", message: "Refund sent to Stripe. €30.50 refunded in total; the Navixy balance is debited next." });
    // A reload (or any page after) does not say it again.
    expect(await openPage()).toBeNull();
  });

  test("two pages opened at once: exactly one shows the outcome", async () => {
    await action("retry", { movementId: "mv_nothing_here", back: "/admin/attention" });
    const now = (await sessionFromCookie(gw.services, cookie.slice(SESSION_COOKIE.length + 1)))!;
    const shown = await Promise.all([1, 2, 3].map(() => takeConsoleFlash(gw.services.rootDb, now.id, now.pendingFlash)));
    expect(shown.filter((f) => f !== null)).toHaveLength(1);
  });

  test("an amount with two readings is refused with both named; what was typed comes back with the error", async () => {
    const { paymentId } = await pay(gw, 62001, 90000);
    await waitForCredit(gw, paymentId, "applied");
    const res = await action("refund", { paymentId, amount: "1,234", confirm: "yes", nonce: "ambiguous-1", comment: "payer asked", back: `/admin/payments/${paymentId}` });
    expect(res.status).toBe(303);
    const flash = await openPage();
    expect(flash).toMatchObject({ kind: "error", message: '"1,234" could mean 1234 or 1.234 EUR: write 1234 without a separator, or the decimals after a point.' });
    // Typed values, not the form's own fields; the nonce of a refused refund is not kept (a new form, a new request).
    expect(flash!.form).toEqual({ action: "refund", values: { paymentId, amount: "1,234", confirm: "yes", comment: "payer asked" }, withheld: [] });
    expect((await gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).amountRefunded).toBe(0);
  });

  test("a refund whose outcome is unknown comes back with its nonce: sending it again is the same Stripe refund, never a second", async () => {
    const { paymentId, piId } = await pay(gw, 62001, 5000);
    await waitForCredit(gw, paymentId, "applied");
    // Stripe takes the refund, then does not answer the re-read that follows it.
    const intents = gw.services.stripe.paymentIntents;
    const retrieve = intents.retrieve;
    intents.retrieve = (async () => {
      intents.retrieve = retrieve;
      throw new Error("connect ETIMEDOUT api.stripe.com");
    }) as typeof retrieve;
    const back = `/admin/payments/${paymentId}`;
    await action("refund", { paymentId, amount: "10", confirm: "yes", nonce: "unknown-outcome-1", comment: "", back });
    const flash = await openPage();
    expect(flash).toMatchObject({ kind: "error", message: expect.stringMatching(/^The action failed: connect ETIMEDOUT/) });
    expect(flash!.form!.values).toMatchObject({ amount: "10", nonce: "unknown-outcome-1" });
    // The person presses Refund again on the form shown with what they typed.
    const again = await action("refund", { ...flash!.form!.values, back });
    expect(again.status).toBe(303);
    expect(await openPage()).toMatchObject({ kind: "notice", message: expect.stringContaining("€10.00 refunded in total") });
    expect((await gw.stripe.refunds.list({ payment_intent: piId })).data).toHaveLength(1);
    expect((await gw.services.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).amountRefunded).toBe(1000);
  });

  test("a refused dealer form keeps what was typed but never a secret, and says which it did not keep", async () => {
    const res = await action("dealer-add", {
      slug: "Not A Slug!",
      name: "Orchid GPS",
      "var:NAVIXY_API_URL": "https://api.eu.navixy.com/v2",
      "var:NAVIXY_PANEL_LOGIN": "orchid-panel",
      "var:STRIPE_SECRET_KEY": "sk_test_typed_secret_value",
      "var:NAVIXY_PANEL_PASSWORD": "typed panel password",
      "var:STRIPE_WEBHOOK_SECRET": "",
      back: "/admin/dealers",
    });
    expect(res.status).toBe(303);
    const stored = (await gw.services.rootDb.adminSession.findUniqueOrThrow({ where: { id: session.id } })).flash!;
    expect(stored).not.toContain("sk_test_typed_secret_value");
    expect(stored).not.toContain("typed panel password");
    const flash = await pendingFlash(gw, session.id);
    expect(flash).toMatchObject({ kind: "error" });
    expect(flash!.form).toEqual({
      action: "dealer-add",
      values: { slug: "Not A Slug!", name: "Orchid GPS", "var:NAVIXY_API_URL": "https://api.eu.navixy.com/v2", "var:NAVIXY_PANEL_LOGIN": "orchid-panel" },
      withheld: ["STRIPE_SECRET_KEY", "NAVIXY_PANEL_PASSWORD"],
    });
    expect(await gw.services.rootDb.dealer.count()).toBe(0);
  });
});
