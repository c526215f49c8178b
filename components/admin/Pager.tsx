// The console lists' keyset paging: back to the newest page, or on to older rows.
import Link from "next/link";

export function Pager({ newestHref, olderHref, olderText, endText }: { newestHref: string | null; olderHref: string | null; olderText: string; endText: string }) {
  return (
    <nav className="pager" aria-label="Pages">
      {newestHref ? <Link href={newestHref}>Newest</Link> : <span />}
      {olderHref ? (
        <Link href={olderHref} rel="next" data-testid="next-page">
          {olderText}
        </Link>
      ) : (
        <span className="muted">{endText}</span>
      )}
    </nav>
  );
}

/** A filter form's Apply (or Find) and Clear buttons. */
export function FilterButtons({ clearHref, submitText = "Apply" }: { clearHref: string; submitText?: string }) {
  return (
    <div className="actions-row">
      <button type="submit" className="btn">
        {submitText}
      </button>
      <Link href={clearHref} className="btn btn-secondary">
        Clear
      </Link>
    </div>
  );
}
