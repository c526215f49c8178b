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
