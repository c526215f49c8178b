// One labelled field of a console filter form (payments, audit log): the label is tied to its input for
// screen readers, and the value the page was opened with is shown again.
import type { HTMLAttributes } from "react";

interface Common {
  id: string;
  label: string;
  defaultValue?: string;
  /** Columns of the filter grid it spans. */
  span?: number;
}

export function InputField({
  id,
  label,
  defaultValue,
  span,
  type = "text",
  inputMode,
  placeholder,
}: Common & { type?: "text" | "search" | "date"; inputMode?: HTMLAttributes<HTMLInputElement>["inputMode"]; placeholder?: string }) {
  return (
    <div className="admin-field" style={span ? { gridColumn: `span ${span}` } : undefined}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} type={type} inputMode={inputMode} placeholder={placeholder} defaultValue={defaultValue ?? ""} />
    </div>
  );
}

export function SelectField({ id, label, defaultValue, span, options }: Common & { options: readonly { value: string; text: string }[] }) {
  return (
    <div className="admin-field" style={span ? { gridColumn: `span ${span}` } : undefined}>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={id} defaultValue={defaultValue ?? ""}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}
