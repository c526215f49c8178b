"use client";
import { useState } from "react";

/** One small client component, so the page ships React's client runtime as the checkout must. */
export function Counter() {
  const [n, setN] = useState(0);
  return (
    <button type="button" onClick={() => setN(n + 1)}>
      Pressed {n} times
    </button>
  );
}
