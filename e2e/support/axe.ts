// axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, for specs other than accessibility.spec.ts (which holds the
// payer's pages to the whole of WCAG 2.2 AA). Stripe's own content is left out as there; `scanStripeDouble` keeps
// the sandbox's card form in (it is the sandbox's, not Stripe's).
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export async function expectNoAxeViolations(page: Page, state: string, options: { scanStripeDouble?: boolean } = {}): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).exclude('iframe[name^="__privateStripeFrame"]');
  if (!options.scanStripeDouble) builder = builder.exclude('[data-testid="sandbox-payment-element"]');
  const { violations } = await builder.analyze();
  const found = violations.map(
    (v) => `${v.id} (${v.impact ?? "?"}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`,
  );
  expect(found, `axe on ${state} (${page.url()})`).toEqual([]);
}
