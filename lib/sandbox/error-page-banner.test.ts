import { expect, test } from "vitest";
import { CHECKOUT_ERRORS, errorPageResponse, renderErrorPage } from "../checkout/error-page";

test("the proxy's error pages carry the sandbox banner in sandbox mode only", async () => {
  const sandbox = renderErrorPage(CHECKOUT_ERRORS.not_found, { sandbox: true });
  expect(sandbox).toMatch(/<div class="sandbox-banner" role="status" data-testid="sandbox-banner"><strong>Sandbox: no real money\.<\/strong> <span class="sandbox-banner-detail">/);
  expect(sandbox).not.toMatch(/<script/i);

  const real = renderErrorPage(CHECKOUT_ERRORS.not_found);
  expect(real).not.toMatch(/sandbox/i);

  const response = errorPageResponse(CHECKOUT_ERRORS.unavailable, { "retry-after": "60" }, { sandbox: true });
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("60");
  expect(await response.text()).toContain('data-testid="sandbox-banner"');
});
