export {
  startNavixyEmulator,
  type NavixyEmulator,
  type NavixyEmulatorOptions,
  type SeedUser,
  type FaultRule,
  type FaultAction,
  type EmulatorCall,
  type EmulatorTransaction,
  type EmulatorUserView,
  type OutageMode,
} from "./server";
export { DEMO_USERS } from "./demo-users";
export { parseCents, formatCents } from "./cents";
