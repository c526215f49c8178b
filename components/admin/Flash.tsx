import { readFlash } from "@/lib/admin/auth";
import type { Services } from "@/lib/server/services";

/** The notice or error an action redirected back with (signed; anything else is ignored). */
export async function Flash({ services, value }: { services: Services; value: string | string[] | undefined }) {
  const flash = await readFlash(services, Array.isArray(value) ? value[0] : value);
  return flash ? <FlashMessage kind={flash.kind} message={flash.message} /> : null;
}

export function FlashMessage({ kind, message }: { kind: "notice" | "error"; message: string }) {
  return (
    <div className="flash" data-kind={kind} role={kind === "error" ? "alert" : "status"} data-testid={`flash-${kind}`}>
      {message}
    </div>
  );
}
