// On the return page of the payment that set up automatic top-up: the signed link to see, change or turn it off.
export function ManageLink({ url, state }: { url: string; state: string }) {
  return (
    <div data-testid="autotopup-manage-link-box" style={{ display: "grid", gap: "0.375rem", marginTop: "0.5rem" }}>
      <p>
        {state === "pending_enrolment"
          ? "Automatic top-up starts once this payment completes."
          : state === "active"
            ? "Automatic top-up is on."
            : "Automatic top-up is set up."}{" "}
        Keep this link to see, change or turn it off:
      </p>
      <a className="button-link button-secondary" href={url} rel="noreferrer" data-testid="autotopup-manage-link">
        Manage automatic top-up
      </a>
      <p className="muted" style={{ fontSize: "0.8125rem" }}>
        Bookmark it or copy it somewhere safe: anyone with this link can change your automatic top-up.
      </p>
    </div>
  );
}
