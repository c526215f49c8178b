// Is this process in sandbox mode (SANDBOX=1)? For the layout, the proxy's error pages and the sandbox routes,
// which must never fail because of it: a configuration that does not parse is not sandbox mode.
import { getConfig } from "../config";

export function isSandboxMode(): boolean {
  try {
    return getConfig().sandbox;
  } catch {
    return false;
  }
}
