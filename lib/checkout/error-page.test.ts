import { describe, expect, test } from "vitest";
import { renderErrorPage } from "./error-page";

test("error pages are complete documents with escaped text and no scripts", () => {
  const html = renderErrorPage({ status: 400, title: "Bad <link>", message: `"id" & more` });
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('lang="en"');
  expect(html).toContain("Bad &lt;link&gt;");
  expect(html).toContain("&quot;id&quot; &amp; more");
  expect(html).not.toMatch(/<script/i);
});

test("in the payer's language, with a switcher that keeps the link's id (no script)", async () => {
  const { translatorFor } = await import("../i18n/messages");
  const { checkoutError, errorPageResponse } = await import("./error-page");
  const t = translatorFor("de");
  const html = renderErrorPage(checkoutError("invalid_id", t), {
    translator: t,
    languages: { action: "/", keep: new URLSearchParams("id=ab&lang=fr") },
  });
  expect(html).toContain('<html lang="de" dir="ltr">');
  expect(html).toContain("<h1>Dieser Zahlungslink ist unvollständig</h1>");
  expect(html).toContain("Fehler 400");
  expect(html).toContain('<form class="lang" method="get" action="/" data-testid="language-switcher"><input type="hidden" name="id" value="ab">');
  expect(html).not.toContain('name="lang" value="fr"');
  expect(html).toContain('<option value="de" lang="de" selected>Deutsch</option>');
  expect(html).toContain('<option value="ar" lang="ar">العربية</option>');
  expect(html).not.toMatch(/<script/i);
  expect(errorPageResponse(checkoutError("not_found", t), {}, { translator: t, languages: { action: "/" } }).headers.get("vary")).toBe("accept-language");
});

describe("the dealer's look on an error page", () => {
  test("its colours' CSS, and its logo (from our own origin) or name on top, escaped", () => {
    const withLogo = renderErrorPage({ status: 404, title: "T", message: "M" }, { brand: { css: "html:root{--accent:#e8590c}", name: 'Acme "GPS" <b>', logo: true } });
    expect(withLogo).toContain("html:root{--accent:#e8590c}</style>");
    expect(withLogo).toContain('<img class="dealer-logo" src="/brand/logo" alt="Acme &quot;GPS&quot; &lt;b&gt;"');
    const nameOnly = renderErrorPage({ status: 404, title: "T", message: "M" }, { brand: { css: "", name: "Acme <GPS>", logo: false } });
    expect(nameOnly).toContain('<span class="dealer-name">Acme &lt;GPS&gt;</span>');
    expect(renderErrorPage({ status: 404, title: "T", message: "M" })).not.toContain("dealer-brand");
  });

  test("a hosted dealer's logo comes from its own /d/<slug>/brand/logo", () => {
    const html = renderErrorPage({ status: 400, title: "T", message: "M" }, { brand: { css: "", name: "Borealis", logo: true, logoSrc: "/d/borealis/brand/logo" } });
    expect(html).toContain('<img class="dealer-logo" src="/d/borealis/brand/logo" alt="Borealis"');
  });
});
