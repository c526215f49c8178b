import type { SeedUser } from "./server";

/** Demo users for the standalone emulator and the sandbox mode. */
export const DEMO_USERS: SeedUser[] = [
  { id: 10001, firstName: "Jane", lastName: "Smith", login: "jane.smith@example.com", balance: "12.50" },
  { id: 10002, firstName: "Oleg", lastName: "Ivanov", login: "oleg@example.com", balance: "0.00" },
  { id: 10003, legalName: "Acme Logistics", login: "fleet@acme.example", balance: "240.00" },
  { id: 10004, firstName: "Sam", lastName: "Driver", login: "driver@acme.example", balance: "0.00", subUser: true },
];

/** The users of the second dealer `npm run demo` hosts (dev/demo/demo-config.ts DEMO_DEALER), in its own Navixy. */
export const DEMO_DEALER_USERS: SeedUser[] = [
  { id: 20001, firstName: "Ana", lastName: "Lima", login: "ana.lima@example.com", balance: "5.00" },
  { id: 20002, legalName: "Harbor Freight Co", login: "ops@harbor.example", balance: "80.00" },
  { id: 20003, firstName: "Kenji", lastName: "Sato", login: "kenji.sato@example.com", balance: "0.00" },
];
