import type { Metadata } from "next";

export const metadata: Metadata = { title: "Page not found · Add money" };

export default function NotFound() {
  return (
    <div className="result" data-tone="error" data-testid="not-found">
      <span className="result-icon" aria-hidden="true">
        ?
      </span>
      <h1>This page does not exist</h1>
      <p>
        The link may be incomplete or out of date. Please open “Add money” again from your account in the tracking app,
        or contact your service provider.
      </p>
    </div>
  );
}
