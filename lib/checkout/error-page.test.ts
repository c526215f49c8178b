import { expect, test } from "vitest";
import { renderErrorPage } from "./error-page";

test("error pages are complete documents with escaped text and no scripts", () => {
  const html = renderErrorPage({ status: 400, title: "Bad <link>", message: `"id" & more` });
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('lang="en"');
  expect(html).toContain("Bad &lt;link&gt;");
  expect(html).toContain("&quot;id&quot; &amp; more");
  expect(html).not.toMatch(/<script/i);
});
