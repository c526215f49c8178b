"use client";
// Re-renders the /sandbox page from the server every few seconds (while the tab is visible), so one can watch
// a payment's credit land on the Navixy balance. Only the /sandbox page uses it.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

export function AutoRefresh({ intervalMs = 2_000 }: { intervalMs?: number }) {
  const router = useRouter();
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [router, intervalMs, paused]);
  return (
    <p className="sandbox-refresh">
      {/* Announced when the button changes it; the refreshes themselves are not (they would talk every 2 s). */}
      <span role="status">{paused ? "Auto-refresh paused." : `Refreshes every ${intervalMs / 1000} s.`}</span>{" "}
      <button type="button" className="link-button" onClick={() => setPaused((p) => !p)} data-testid="sandbox-refresh-toggle">
        {paused ? "Resume" : "Pause"}
      </button>
    </p>
  );
}
