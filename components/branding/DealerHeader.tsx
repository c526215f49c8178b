// The dealer's logo (or name) above the payer's page, so the payer knows whose balance they top up.
import type { PageBrand } from "@/lib/branding/dealer-brand";

export function DealerHeader({ page, base }: { page: PageBrand; base: string }) {
  const { brand, logo } = page;
  if (!logo && !brand.name) return null;
  return (
    <header className="dealer" data-testid="dealer-brand">
      {logo ? (
        // eslint-disable-next-line @next/next/no-img-element -- a dealer's image of unknown size, from our own route
        <img className="dealer-logo" src={`${base}/brand/logo`} alt={brand.name ?? ""} data-testid="dealer-logo" />
      ) : (
        <span className="dealer-name">{brand.name}</span>
      )}
    </header>
  );
}
