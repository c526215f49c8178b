"use client";
// Where the page's own API and images are: "" for the environment's dealer, "/d/<slug>" for a hosted one
// (lib/server/request-dealer.ts). Client components prefix their fetches with it.
import { createContext, useContext, type ReactNode } from "react";

const DealerPathContext = createContext("");

export function DealerPathProvider({ base, children }: { base: string; children: ReactNode }) {
  return <DealerPathContext.Provider value={base}>{children}</DealerPathContext.Provider>;
}

/** The dealer's path prefix, e.g. `${useDealerPath()}/api/payments`. */
export function useDealerPath(): string {
  return useContext(DealerPathContext);
}
