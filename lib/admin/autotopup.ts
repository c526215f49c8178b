// The console's automatic top-up page: the rules payers set up with their latest decisions, and the actions on
// them (pause, resume, turn off), audited like every console action.
import { disableRule, listRules, pauseRule, resumeRule, ruleTimeline, type AutoTopUpEvent, type RuleChange, type RuleSummary } from "../autotopup/queries";
import type { Services } from "../server/services";
import { AdminActionError } from "./actions";
import { audit, type Actor } from "./audit";

export interface RuleWithDecisions extends RuleSummary {
  /** The rule's latest timeline events, newest first. */
  decisions: AutoTopUpEvent[];
}

/** One page of rules (25, newest first), of one Navixy user if given; `after` is the previous page's `nextCursor`. */
export async function autoTopUpRulesView(
  services: Services,
  options: { navixyUserId?: number; after?: string } = {},
): Promise<{ rules: RuleWithDecisions[]; nextCursor: string | null }> {
  const page = await listRules(services.db, { cursor: options.after, navixyUserId: options.navixyUserId, limit: 25 });
  const timelines = await Promise.all(page.rules.map((r) => ruleTimeline(services.db, r.id, { events: 8, charges: 0 })));
  return { rules: page.rules.map((rule, i) => ({ ...rule, decisions: timelines[i]?.events ?? [] })), nextCursor: page.nextCursor };
}

const CHANGES = {
  "rule.pause": pauseRule,
  "rule.resume": resumeRule,
  "rule.disable": disableRule,
} as const;

export async function changeRule(services: Services, who: Actor, action: keyof typeof CHANGES, ruleId: string): Promise<RuleChange & { ok: true }> {
  const change = await CHANGES[action](services.db, ruleId);
  if (!change.ok) throw new AdminActionError(change.message);
  await audit(services.db, { ...who, action, target: ruleId, before: change.before, after: change.after });
  return change;
}
