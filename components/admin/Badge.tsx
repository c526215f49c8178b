import { label, statusTone } from "./format";

export function Badge({ value, text }: { value: string; text?: string }) {
  return (
    <span className="badge" data-tone={statusTone(value)}>
      {text ?? label(value)}
    </span>
  );
}
