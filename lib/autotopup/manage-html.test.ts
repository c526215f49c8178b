import { expect, test } from "vitest";
import { translatorFor } from "../i18n/messages";
import { renderManagePage, type ManagePageModel } from "./manage-html";

const model: ManagePageModel = {
  token: "atr_1.abc",
  state: "active",
  stateReason: null,
  currency: "eur",
  amount: 2000,
  threshold: 1000,
  monthlyLimit: 10_000,
  usedThisMonth: 2000,
  mandateText: "Ich ermächtige …",
  linkExpiresAt: new Date("2026-04-05T00:00:00Z"),
  charges: [{ at: new Date("2026-03-05T10:00:00Z"), amount: 2000, status: "succeeded" }],
};

test("the manage page in English by default, as before", () => {
  const html = renderManagePage(model, { sandbox: false });
  expect(html).toContain('<html lang="en" dir="ltr">');
  expect(html).toContain(">On</span>");
  expect(html).toContain("<td>€20.00</td><td>paid</td>");
  expect(html).toContain("It works until Apr 5, 2026.");
  expect(html).toContain('action="/topup/manage/atr_1.abc"');
});

test("in the payer's language: words, money, dates, direction; a chosen ?lang= is kept by the forms", () => {
  const html = renderManagePage(model, { sandbox: true, translator: translatorFor("he"), lang: "he" });
  expect(html).toContain('<html lang="he" dir="rtl">');
  expect(html).toContain("<h1>טעינה אוטומטית</h1>");
  expect(html).toContain(">פעילה</span>");
  expect(html).toContain("סביבת ניסוי: אין כסף אמיתי");
  expect(html).toContain('action="/topup/manage/atr_1.abc?lang=he"');
  expect(html).toContain('data-testid="language-switcher"');
  const de = renderManagePage(model, { sandbox: false, translator: translatorFor("de") });
  expect(de).toContain("<td>20,00\u00a0€</td><td>bezahlt</td>");
  expect(de).toContain("Er gilt bis 05.04.2026.");
  expect(de).toContain("Aufladebetrag (EUR)");
  // The stored mandate is shown as agreed, whatever the page's language.
  expect(de).toContain("Ich ermächtige …");
  expect(html).not.toMatch(/<script/i);
});

test("paused for the bank: the button opens the checkout with the link's token in the fragment, never sent on", () => {
  const confirmUrl = "https://pay.example.com/d/acme/?id=10001&lang=de#confirm=atr_1.abc";
  const html = renderManagePage({ ...model, state: "paused_authentication_required", confirmUrl }, { sandbox: false, translator: translatorFor("de") });
  expect(html).toContain(
    `<a class="button" href="https://pay.example.com/d/acme/?id=10001&amp;lang=de#confirm=atr_1.abc" rel="noreferrer" data-testid="autotopup-confirm-link">Bei meiner Bank bestätigen</a>`,
  );
  expect(html).toContain("Bestätigen Sie sie mit der Schaltfläche unten");
  expect(renderManagePage({ ...model, confirmUrl }, { sandbox: false })).not.toContain("autotopup-confirm-link");
});
