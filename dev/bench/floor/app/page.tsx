// Static page (prerendered at build time): reported for context only.
export default function StaticPage() {
  return <h1>Floor: a static page</h1>;
}
