"use client";
// The dealer's look for client components: its accent colour for what cannot read CSS variables (the Payment
// Element's Appearance API, components/checkout/Checkout.tsx) and its name (the automatic top-up mandate names the
// dealer). Null: the gateway's own colours / no name known.
import { createContext, useContext, type ReactNode } from "react";

export interface BrandAccent {
  light: string;
  dark: string;
}

const BrandContext = createContext<{ accent: BrandAccent | null; name: string | null }>({ accent: null, name: null });

export function BrandProvider({ accent, name = null, children }: { accent: BrandAccent | null; name?: string | null; children: ReactNode }) {
  return <BrandContext.Provider value={{ accent, name }}>{children}</BrandContext.Provider>;
}

export function useBrandAccent(): BrandAccent | null {
  return useContext(BrandContext).accent;
}

/** The dealer's name as its pages show it (lib/branding), or null. */
export function useDealerName(): string | null {
  return useContext(BrandContext).name;
}
