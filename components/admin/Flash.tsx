import { readFlash } from "@/lib/admin/auth";
import type { Config } from "@/lib/config";

/** The notice or error an action redirected back with (signed; anything else is ignored). */
export function Flash({ config, value }: { config: Config; value: string | string[] | undefined }) {
  const flash = readFlash(config, Array.isArray(value) ? value[0] : value);
  if (!flash) return null;
  return (
    <div className="flash" data-kind={flash.kind} role={flash.kind === "error" ? "alert" : "status"} data-testid={`flash-${flash.kind}`}>
      {flash.message}
    </div>
  );
}
