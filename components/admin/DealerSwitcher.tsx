// The operator's choice of dealer: every console page, export and action works on the chosen one.
// A plain form post (no JavaScript needed); the overview of the chosen dealer comes back.
import type { DealerChoice } from "@/lib/admin/dealer-console";
import { FormBasics } from "./CsrfField";

export function DealerSwitcher({ csrf, current, choices }: { csrf: string; current: string; choices: DealerChoice[] }) {
  return (
    <form method="post" action="/admin/actions/switch-dealer" className="dealer-switcher" data-testid="dealer-switcher">
      <FormBasics csrf={csrf} back="/admin" />
      <label htmlFor="switch-dealer">Dealer</label>
      <select id="switch-dealer" name="dealer" defaultValue={current}>
        {choices.map((d) => (
          <option key={d.id} value={d.slug}>
            {d.name}
            {d.status === "active" ? "" : ` (${d.status})`}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary">
        Switch
      </button>
    </form>
  );
}
