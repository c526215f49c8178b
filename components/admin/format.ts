// Display helpers shared by the console's Server Components.
export function fmtTime(d: Date | null | undefined): string {
  if (!d) return "";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export type Tone = "success" | "danger" | "warning" | "info" | "neutral";

export function statusTone(status: string): Tone {
  switch (status) {
    case "succeeded":
    case "credited":
    case "applied":
    case "processed":
      return "success";
    case "failed":
    case "needs_attention":
      return "danger";
    case "authorized":
    case "processing":
    case "pending":
    case "unknown":
    case "sending":
    case "partially_refunded":
      return "warning";
    case "refunded":
    case "awaiting_payment":
      return "info";
    default:
      return "neutral";
  }
}

export const label = (s: string) => s.replace(/_/g, " ");

/** How long ago, in a word or two: "45 s", "12 min", "3 h", "2 d". */
export function ago(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return "";
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
