import { consoleFlash } from "@/lib/admin/page-session";

/** The notice or error of the session's last form: shown by this page, and by no page after it. */
export async function Flash() {
  const flash = await consoleFlash();
  return flash ? <FlashMessage kind={flash.kind} message={flash.message} /> : null;
}

export function FlashMessage({ kind, message }: { kind: "notice" | "error"; message: string }) {
  return (
    <div className="flash" data-kind={kind} role={kind === "error" ? "alert" : "status"} data-testid={`flash-${kind}`}>
      {message}
    </div>
  );
}

/** Said next to a refused form shown again: which secrets were typed but not kept. */
export function WithheldNote({ withheld }: { withheld: readonly string[] | undefined }) {
  if (!withheld || withheld.length === 0) return null;
  const names = withheld.map((w, i) => (
    <span key={w}>
      {i > 0 && (i === withheld.length - 1 ? " and " : ", ")}
      {/^[A-Z_]+$/.test(w) ? <span className="mono">{w}</span> : w}
    </span>
  ));
  return (
    <p className="note" role="note" data-testid="withheld-note">
      Everything you typed is kept except {names}: secrets are never stored, so type {withheld.length === 1 ? "it" : "them"} again.
    </p>
  );
}
