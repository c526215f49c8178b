"use client";
// The dealer's accent colour for client components that cannot read CSS variables: the Payment Element's
// Appearance API (components/checkout/Checkout.tsx). Null: the gateway's own colours.
import { createContext, useContext, type ReactNode } from "react";

export interface BrandAccent {
  light: string;
  dark: string;
}

const BrandContext = createContext<BrandAccent | null>(null);

export function BrandProvider({ accent, children }: { accent: BrandAccent | null; children: ReactNode }) {
  return <BrandContext.Provider value={accent}>{children}</BrandContext.Provider>;
}

export function useBrandAccent(): BrandAccent | null {
  return useContext(BrandContext);
}
