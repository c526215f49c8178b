/** Every console form carries the session's CSRF token and the page to come back to. */
export function FormBasics({ csrf, back }: { csrf: string; back: string }) {
  return (
    <>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="back" value={back} />
    </>
  );
}
