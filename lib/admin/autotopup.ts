// Console actions on automatic top-up rules: pause, resume, turn off. Audited like every console action.
import { disableRule, pauseRule, resumeRule, type RuleChange } from "../autotopup/queries";
import type { Services } from "../server/services";
import { AdminActionError } from "./actions";
import { audit, type Actor } from "./audit";

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
